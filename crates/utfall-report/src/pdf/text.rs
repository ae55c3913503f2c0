//! The embedded fonts, shaping, measuring, wrapping and truncating text.
//!
//! Text is shaped once with rustybuzz (the shaper krilla uses itself) and the same glyphs are
//! both measured and drawn, so a right-aligned number ends exactly at its column's edge.

use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::ReportError;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// Which of the two embedded fonts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One font: for shaping and for krilla to embed (krilla subsets it when the PDF is written).
pub(crate) struct Face {
    shaper: rustybuzz::Face<'static>,
    pub(crate) font: Font,
    units_per_em: f32,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Face")
            .field("units_per_em", &self.units_per_em)
            .finish_non_exhaustive()
    }
}

impl Face {
    fn load(data: &'static [u8], name: &'static str) -> Result<Face, ReportError> {
        let shaper = rustybuzz::Face::from_slice(data, 0).ok_or(ReportError::Font(name))?;
        let font = Font::new(data.into(), 0).ok_or(ReportError::Font(name))?;
        let units_per_em = shaper.units_per_em() as f32;
        Ok(Face {
            shaper,
            font,
            units_per_em,
        })
    }
}

/// DejaVu Sans and DejaVu Sans Bold.
#[derive(Debug)]
pub(crate) struct Fonts {
    regular: Face,
    bold: Face,
}

/// Shaped text: its glyphs (advances in ems) and its width in ems.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) text: String,
    pub(crate) glyphs: Vec<KrillaGlyph>,
    pub(crate) width_em: f32,
}

impl Run {
    /// The width at `size` points.
    pub(crate) fn width(&self, size: f32) -> f32 {
        self.width_em * size
    }
}

impl Fonts {
    pub(crate) fn load() -> Result<Fonts, ReportError> {
        Ok(Fonts {
            regular: Face::load(REGULAR, "DejaVuSans.ttf")?,
            bold: Face::load(BOLD, "DejaVuSans-Bold.ttf")?,
        })
    }

    pub(crate) fn face(&self, weight: Weight) -> &Face {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// Shapes one line of text (no line breaks in it).
    pub(crate) fn shape(&self, weight: Weight, text: &str) -> Run {
        let face = self.face(weight);
        let mut buffer = rustybuzz::UnicodeBuffer::new();
        buffer.push_str(text);
        buffer.guess_segment_properties();
        let output = rustybuzz::shape(&face.shaper, &[], buffer);
        let infos = output.glyph_infos();
        let positions = output.glyph_positions();
        // Each glyph's cluster covers the text up to the next larger cluster start.
        let mut starts: Vec<usize> = infos.iter().map(|info| info.cluster as usize).collect();
        starts.sort_unstable();
        starts.dedup();
        let upem = face.units_per_em;
        let mut width_em = 0.0;
        let glyphs = infos
            .iter()
            .zip(positions)
            .map(|(info, position)| {
                let start = info.cluster as usize;
                let end = starts
                    .get(starts.partition_point(|&s| s <= start))
                    .copied()
                    .unwrap_or(text.len());
                let x_advance = position.x_advance as f32 / upem;
                width_em += x_advance;
                KrillaGlyph::new(
                    GlyphId::new(info.glyph_id),
                    x_advance,
                    position.x_offset as f32 / upem,
                    position.y_offset as f32 / upem,
                    position.y_advance as f32 / upem,
                    start..end,
                    None,
                )
            })
            .collect();
        Run {
            text: text.to_owned(),
            glyphs,
            width_em,
        }
    }

    /// The width of `text` at `size` points.
    pub(crate) fn width(&self, weight: Weight, size: f32, text: &str) -> f32 {
        self.shape(weight, text).width(size)
    }

    /// Breaks `text` into lines at most `max_width` points wide at `size` points: at spaces
    /// (never at a no-break space, so `1 234 kr` stays whole), at each line break in the text,
    /// and inside a word only when the word alone is too wide.
    pub(crate) fn wrap(
        &self,
        weight: Weight,
        size: f32,
        text: &str,
        max_width: f32,
    ) -> Vec<String> {
        self.wrap_at_most(weight, size, text, max_width, usize::MAX)
    }

    /// [`Fonts::wrap`], but stops after `max_lines + 1` lines: enough to know that the text
    /// needs more than `max_lines`, without shaping the rest of a text that long.
    pub(crate) fn wrap_at_most(
        &self,
        weight: Weight,
        size: f32,
        text: &str,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<String> {
        let mut lines = Vec::new();
        for hard_line in text.lines() {
            if lines.len() > max_lines {
                break;
            }
            let mut current = String::new();
            for word in hard_line.split([' ', '\t']).filter(|w| !w.is_empty()) {
                if lines.len() > max_lines {
                    break;
                }
                let candidate = if current.is_empty() {
                    word.to_owned()
                } else {
                    format!("{current} {word}")
                };
                if self.width(weight, size, &candidate) <= max_width {
                    current = candidate;
                    continue;
                }
                if !current.is_empty() {
                    lines.push(std::mem::take(&mut current));
                }
                if self.width(weight, size, word) <= max_width {
                    current = word.to_owned();
                } else {
                    let mut pieces = self.break_word(weight, size, word, max_width);
                    current = pieces.pop().unwrap_or_default();
                    lines.extend(pieces);
                }
            }
            lines.push(current);
        }
        lines.truncate(max_lines.saturating_add(1));
        if lines.is_empty() {
            lines.push(String::new());
        }
        lines
    }

    /// Splits a word too wide for a line into pieces that fit (at least one character each).
    fn break_word(&self, weight: Weight, size: f32, word: &str, max_width: f32) -> Vec<String> {
        let mut pieces = Vec::new();
        let mut rest = word;
        while !rest.is_empty() {
            let end = self.longest_fitting_prefix(weight, size, rest, max_width, "");
            let end = if end == 0 {
                rest.chars().next().map_or(rest.len(), char::len_utf8)
            } else {
                end
            };
            pieces.push(rest[..end].to_owned());
            rest = &rest[end..];
        }
        pieces
    }

    /// `text` as it fits in `max_width` points: whole, or cut and ended with `…`.
    pub(crate) fn truncate(&self, weight: Weight, size: f32, text: &str, max_width: f32) -> Run {
        let whole = self.shape(weight, text);
        if whole.width(size) <= max_width {
            return whole;
        }
        let end = self.longest_fitting_prefix(weight, size, text, max_width, "…");
        self.shape(weight, &format!("{}…", text[..end].trim_end()))
    }

    /// The byte length of the longest prefix of `text` (at a character boundary) that, followed
    /// by `suffix`, is at most `max_width` points wide.
    fn longest_fitting_prefix(
        &self,
        weight: Weight,
        size: f32,
        text: &str,
        max_width: f32,
        suffix: &str,
    ) -> usize {
        let mut boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        boundaries.push(text.len());
        let fits_in = |end: usize| {
            let candidate = format!("{}{suffix}", &text[..end]);
            self.width(weight, size, &candidate) <= max_width
        };
        // boundaries[0] = 0 always fits by definition. Widths grow with the prefix: first
        // double the prefix until it is too wide, so that a long text (a word of thousands of
        // letters broken into lines) is not shaped whole at every step; then search between.
        let (mut fits, mut too_wide) = (0, boundaries.len());
        let mut probe = 1;
        while probe < too_wide {
            if fits_in(boundaries[probe]) {
                fits = probe;
                probe *= 2;
            } else {
                too_wide = probe;
            }
        }
        while too_wide - fits > 1 {
            let middle = (fits + too_wide) / 2;
            if fits_in(boundaries[middle]) {
                fits = middle;
            } else {
                too_wide = middle;
            }
        }
        boundaries[fits]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Fonts {
        match Fonts::load() {
            Ok(fonts) => fonts,
            Err(error) => panic!("{error}"),
        }
    }

    #[test]
    fn widths_add_up_and_bold_is_wider() {
        let fonts = fonts();
        let a = fonts.width(Weight::Regular, 10.0, "Besök");
        let b = fonts.width(Weight::Regular, 10.0, "Besök Besök");
        let space = fonts.width(Weight::Regular, 10.0, " ");
        assert!(a > 20.0 && a < 40.0, "{a}");
        assert!((b - (2.0 * a + space)).abs() < 0.5, "{a} {b} {space}");
        assert!(fonts.width(Weight::Bold, 10.0, "Besök") > a);
        assert!((fonts.width(Weight::Regular, 20.0, "Besök") - 2.0 * a).abs() < 1e-3);
    }

    #[test]
    fn wrapping_keeps_every_word_in_order_and_every_line_within_the_width() {
        let fonts = fonts();
        let text = "Konverteringsgraden steg under perioden medan kostnaden per konvertering \
                    sjönk till 1\u{a0}234,50\u{a0}kr i alla kanaler";
        let lines = fonts.wrap(Weight::Regular, 10.0, text, 120.0);
        assert!(lines.len() > 2);
        for line in &lines {
            assert!(fonts.width(Weight::Regular, 10.0, line) <= 120.0, "{line}");
        }
        assert_eq!(lines.join(" "), text);
        assert!(lines.iter().any(|l| l.contains("1\u{a0}234,50\u{a0}kr")));
    }

    #[test]
    fn a_word_wider_than_the_line_is_broken_and_nothing_is_lost() {
        let fonts = fonts();
        let word = "Marknadsföringsresultatuppföljningssystemsimplementering";
        let lines = fonts.wrap(Weight::Regular, 10.0, word, 60.0);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), word);
        for line in &lines {
            assert!(fonts.width(Weight::Regular, 10.0, line) <= 60.0, "{line}");
        }
    }

    #[test]
    fn hard_line_breaks_are_kept() {
        let fonts = fonts();
        assert_eq!(
            fonts.wrap(Weight::Regular, 10.0, "ett\ntvå", 500.0),
            vec!["ett".to_owned(), "två".to_owned()]
        );
    }

    #[test]
    fn truncation_ends_with_an_ellipsis_and_fits() {
        let fonts = fonts();
        let text = "En mycket lång kampanjbeskrivning";
        let whole = fonts.truncate(Weight::Regular, 8.0, text, 500.0);
        assert_eq!(whole.text, text);
        let cut = fonts.truncate(Weight::Regular, 8.0, text, 50.0);
        assert!(cut.text.ends_with('…'), "{}", cut.text);
        assert!(text.starts_with(cut.text.trim_end_matches('…')));
        assert!(cut.width(8.0) <= 50.0);
    }

    #[test]
    fn the_no_break_space_has_a_glyph() {
        let fonts = fonts();
        let run = fonts.shape(Weight::Regular, "1\u{a0}234");
        assert_eq!(run.glyphs.len(), 5);
        assert!(run.glyphs.iter().all(|g| g.glyph_id.to_u32() != 0));
    }
}
