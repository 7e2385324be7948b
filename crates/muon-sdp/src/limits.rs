//! Named bounds on the work and memory one parse may take.

/// Bounds applied by [`Session::parse_with`](crate::Session::parse_with).
///
/// Parsing is linear in the input size, and the input size is bounded, so hostile input costs
/// bounded time; these limits also bound the number of values allocated. With the defaults,
/// the worst input found (65,000 one-character simulcast rids) raises peak memory by about
/// 12 MB; `tests/memory.rs` measures the worst cases and holds them under 32 MB. The
/// defaults are far above what browsers produce (the Chromium 156 audio+video+data offer in
/// `tests/fixtures` is 6.4 KB, 177 lines, 3 media sections).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes. Default [`Limits::DEFAULT_MAX_INPUT_BYTES`].
    pub max_input_bytes: usize,
    /// Most `m=` sections. Default [`Limits::DEFAULT_MAX_MEDIA_SECTIONS`].
    pub max_media_sections: usize,
    /// Most fields in the whole description, counting every space-, comma- or
    /// semicolon-separated piece of every line after `s=`. Each list element this crate
    /// allocates (a format, a mid, an SSRC, a candidate extension, a simulcast rid...) is such
    /// a field, so this bounds memory: without it, one 1 MiB line of one-character simulcast
    /// rids would take about 75 MB. Default [`Limits::DEFAULT_MAX_FIELDS`].
    pub max_fields: usize,
    /// Most repeatable lines in the whole description: `a=`, `b=`, `e=`, `p=`, `r=` and `t=`
    /// lines together. Default [`Limits::DEFAULT_MAX_ATTRIBUTES`].
    pub max_attributes: usize,
}

impl Limits {
    /// 1 MiB.
    pub const DEFAULT_MAX_INPUT_BYTES: usize = 1 << 20;
    /// 512 media sections.
    pub const DEFAULT_MAX_MEDIA_SECTIONS: usize = 512;
    /// 32,768 attribute lines.
    pub const DEFAULT_MAX_ATTRIBUTES: usize = 32_768;
    /// 65,536 fields (the Chromium audio+video+data offer in `tests/fixtures` has 484).
    pub const DEFAULT_MAX_FIELDS: usize = 65_536;

    /// The defaults, as a constant.
    pub const DEFAULT: Self = Self {
        max_input_bytes: Self::DEFAULT_MAX_INPUT_BYTES,
        max_media_sections: Self::DEFAULT_MAX_MEDIA_SECTIONS,
        max_attributes: Self::DEFAULT_MAX_ATTRIBUTES,
        max_fields: Self::DEFAULT_MAX_FIELDS,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}
