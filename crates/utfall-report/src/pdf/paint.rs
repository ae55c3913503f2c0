//! Painting the laid-out pages with krilla: text runs, rectangles and the footer.

use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::paint::{Fill, FillRule};
use krilla::{Document as PdfDocument, SerializeSettings};

use super::layout::{self, Op, PAGE_HEIGHT, PAGE_WIDTH};
use super::text::{Fonts, Weight};
use crate::{Document, ReportError};

/// The footer's page numbers: size and distance of their baseline from the page's bottom.
const FOOTER_SIZE: f32 = 8.0;
const FOOTER_BASELINE_FROM_BOTTOM: f32 = 30.0;

/// Lays `doc` out and writes it (see [`crate::pdf()`]).
pub(super) fn pdf(doc: &Document) -> Result<Vec<u8>, ReportError> {
    let fonts = Fonts::load()?;
    let pages = layout::lay_out(doc, &fonts);

    let mut pdf = PdfDocument::new_with(SerializeSettings::default());
    let mut metadata = Metadata::new().title(doc.title.clone());
    if !doc.lang.trim().is_empty() {
        metadata = metadata.language(doc.lang.trim().to_owned());
    }
    pdf.set_metadata(metadata);

    let n_pages = pages.len();
    for (index, ops) in pages.iter().enumerate() {
        // The default page is A4 portrait, 595 × 842 pt.
        let mut page = pdf.start_page();
        let mut surface = page.surface();
        for op in ops {
            match op {
                Op::Text {
                    x,
                    baseline,
                    weight,
                    size,
                    grey,
                    run,
                } => {
                    surface.set_fill(Some(fill(*grey)));
                    surface.draw_glyphs(
                        Point::from_xy(*x, *baseline),
                        &run.glyphs,
                        fonts.face(*weight).font.clone(),
                        &run.text,
                        *size,
                        false,
                    );
                }
                Op::Rect {
                    x,
                    y,
                    width,
                    height,
                    grey,
                } => {
                    let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) else {
                        continue;
                    };
                    let mut builder = PathBuilder::new();
                    builder.push_rect(rect);
                    if let Some(path) = builder.finish() {
                        surface.set_fill(Some(fill(*grey)));
                        surface.draw_path(&path);
                    }
                }
            }
        }
        let footer = fonts.shape(Weight::Regular, &format!("{} / {}", index + 1, n_pages));
        surface.set_fill(Some(fill(layout::GREY_FOOTER)));
        surface.draw_glyphs(
            Point::from_xy(
                (PAGE_WIDTH - footer.width(FOOTER_SIZE)) / 2.0,
                PAGE_HEIGHT - FOOTER_BASELINE_FROM_BOTTOM,
            ),
            &footer.glyphs,
            fonts.face(Weight::Regular).font.clone(),
            &footer.text,
            FOOTER_SIZE,
            false,
        );
        surface.finish();
        page.finish();
    }
    pdf.finish().map_err(ReportError::Pdf)
}

/// An opaque grey fill: 0 is black, 255 white.
fn fill(grey: u8) -> Fill {
    Fill {
        paint: rgb::Color::new(grey, grey, grey).into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    }
}
