//! Figures a person can open: cost curves, the decision regions of 2-D data (`boundary`),
//! accuracy against a swept value, and a grid of mislabelled pictures. Each is written as PNG
//! and SVG, through a temporary file and a rename.

use std::path::Path;
use std::sync::Once;

use plotters::chart::{MeshStyle, SeriesLabelStyle};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

mod boundary;

use crate::atomic::write_atomic_via;
use crate::{Error, Result};

pub use boundary::{Classifier, decision_boundary};

const SIZE: (u32, u32) = (800, 560);
const FONT: &str = "sans-serif";

/// plotters draws text with ab_glyph from an embedded DejaVu Sans: no system fonts needed.
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

/// Drawing's outcome: plotters' errors as text.
type Drawn = std::result::Result<(), String>;

/// A figure that can be drawn on any plotters backend (PNG and SVG here).
trait Figure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn;
}

/// Draw the same figure into `STEM.png` and `STEM.svg` in `dir`.
fn both<F: Figure>(dir: &Path, stem: &str, size: (u32, u32), figure: &F) -> Result<()> {
    register_font();
    let fail = |e: String| Error::Output(format!("drawing {stem}: {e}"));
    // plotters picks the image format from the extension, which the temporary names keep. The
    // SVG is written inside the PNG's write, so a failed SVG leaves neither file replaced.
    write_atomic_via(&dir.join(format!("{stem}.png")), |tmp_png| {
        paint(BitMapBackend::new(tmp_png, size), figure).map_err(fail)?;
        write_atomic_via(&dir.join(format!("{stem}.svg")), |tmp_svg| {
            paint(SVGBackend::new(tmp_svg, size), figure).map_err(fail)
        })
    })
}

/// One figure on one backend, PNG or SVG: a white page, the figure, then the file written.
fn paint<DB: DrawingBackend, F: Figure>(backend: DB, figure: &F) -> Drawn {
    let root = backend.into_drawing_area();
    root.fill(&WHITE).map_err(|e| e.to_string())?;
    figure.draw(&root)?;
    root.present().map_err(|e| e.to_string())
}

/// A chart of coordinates `X` × `Y` drawn on `DB`.
type Chart<'a, DB, X, Y> = ChartContext<
    'a,
    DB,
    Cartesian2d<<X as AsRangedCoord>::CoordDescType, <Y as AsRangedCoord>::CoordDescType>,
>;

/// The frame every chart has: its caption on top, a 12-pixel margin, room for the tick labels
/// (`label_areas`: below the x axis, left of the y axis), and the coordinates `x` × `y`.
fn frame<'a, DB: DrawingBackend, X: AsRangedCoord, Y: AsRangedCoord>(
    root: &'a DrawingArea<DB, Shift>,
    caption: &str,
    label_areas: (u32, u32),
    x: X,
    y: Y,
) -> std::result::Result<Chart<'a, DB, X, Y>, String> {
    ChartBuilder::on(root)
        .caption(caption, (FONT, 22))
        .margin(12)
        .x_label_area_size(label_areas.0)
        .y_label_area_size(label_areas.1)
        .build_cartesian_2d(x, y)
        .map_err(|e| e.to_string())
}

/// The axes every chart has: their names and the tick labels' font, drawn with what `mesh`
/// already holds (a chart's own settings: no grid lines, other tick labels).
fn axes<X, Y, DB>(mesh: &mut MeshStyle<'_, '_, X, Y, DB>, x_desc: &str, y_desc: &str) -> Drawn
where
    X: Ranged + ValueFormatter<<X as Ranged>::ValueType>,
    Y: Ranged + ValueFormatter<<Y as Ranged>::ValueType>,
    DB: DrawingBackend,
{
    mesh.x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, 14))
        .draw()
        .map_err(|e| e.to_string())
}

/// The legend box every chart with several lines has, drawn where `labels` already puts it.
fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    labels: &mut SeriesLabelStyle<'a, '_, DB, CT>,
) -> Drawn {
    labels
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font((FONT, 14))
        .draw()
        .map_err(|e| e.to_string())
}

/// A line's mark in the legend: a short stroke in the line's `style`.
fn legend_mark(style: ShapeStyle) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style)
}

/// One labelled cost history.
pub struct Curve<'a> {
    pub label: String,
    pub costs: &'a [(usize, f64)],
}

/// Cost against iteration or epoch (`unit`), one line per curve (one curve for a run, with its
/// validation set's when it has one; several for a sweep); below them the learning rate α at
/// the log points, when `rates` has it (a schedule that changes it).
pub fn cost_curves(
    dir: &Path,
    stem: &str,
    title: &str,
    unit: &str,
    curves: &[Curve],
    rates: &[(usize, f64)],
) -> Result<()> {
    both(
        dir,
        stem,
        SIZE,
        &CostFigure {
            title,
            unit,
            curves,
            rates,
        },
    )
}

struct CostFigure<'a> {
    title: &'a str,
    unit: &'a str,
    curves: &'a [Curve<'a>],
    rates: &'a [(usize, f64)],
}

impl CostFigure<'_> {
    /// α against the epoch, under the cost.
    fn draw_rates<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Drawn {
        let max_it = self.rates.iter().map(|r| r.0).max().unwrap_or(1).max(1);
        let max_rate = self.rates.iter().map(|r| r.1).fold(0.0, f64::max) * 1.05;
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(0usize..max_it, 0.0..max_rate.max(f64::MIN_POSITIVE))
            .map_err(|e| e.to_string())?;
        axes(&mut chart.configure_mesh(), self.unit, "learning rate α")?;
        chart
            .draw_series(LineSeries::new(
                self.rates.iter().copied(),
                BLACK.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

impl Figure for CostFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let root = if self.rates.is_empty() {
            root.clone()
        } else {
            let (cost, rate) = root.split_vertically(root.dim_in_pixel().1 * 7 / 10);
            self.draw_rates(&rate)?;
            cost
        };
        let root = &root;
        let (title, curves) = (self.title, self.curves);
        let finite = |c: &&(usize, f64)| c.1.is_finite();
        let max_it = curves
            .iter()
            .flat_map(|c| c.costs.iter().map(|p| p.0))
            .max()
            .unwrap_or(1)
            .max(1);
        let max_cost = curves
            .iter()
            .flat_map(|c| c.costs.iter().filter(finite).map(|p| p.1))
            .fold(0.0, f64::max);
        let max_cost = if max_cost > 0.0 { max_cost * 1.05 } else { 1.0 };
        let mut chart = frame(root, title, (45, 60), 0usize..max_it, 0.0..max_cost)?;
        axes(&mut chart.configure_mesh(), self.unit, "cost J")?;
        for (i, c) in curves.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(
                    c.costs.iter().filter(finite).copied(),
                    color.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(c.label.clone())
                .legend(legend_mark(color.stroke_width(2)));
        }
        if curves.len() > 1 || !curves[0].label.is_empty() {
            legend(&mut chart.configure_series_labels())?;
        }
        Ok(())
    }
}

/// Accuracy against the swept value (categorical axis: one position per value).
pub fn sweep_accuracy(
    dir: &Path,
    stem: &str,
    key: &str,
    labels: &[String],
    train: &[f64],
    validation: &[Option<f64>],
    test: &[Option<f64>],
) -> Result<()> {
    both(
        dir,
        stem,
        SIZE,
        &SweepFigure {
            key,
            labels,
            train,
            validation,
            test,
        },
    )
}

struct SweepFigure<'a> {
    key: &'a str,
    labels: &'a [String],
    train: &'a [f64],
    validation: &'a [Option<f64>],
    test: &'a [Option<f64>],
}

impl Figure for SweepFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let SweepFigure {
            key,
            labels,
            train,
            validation,
            test,
        } = self;
        let n = labels.len();
        let caption = format!("accuracy against {key}");
        let mut chart = frame(
            root,
            &caption,
            (45, 55),
            -0.5f64..(n as f64 - 0.5),
            0.0f64..100.0,
        )?;
        axes(
            chart.configure_mesh().x_labels(n).x_label_formatter(&|v| {
                let i = v.round();
                if (v - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            }),
            key,
            "accuracy (%)",
        )?;
        let train_pts: Vec<(f64, f64)> = train
            .iter()
            .enumerate()
            .map(|(i, &a)| (i as f64, a))
            .collect();
        dotted_line(&mut chart, &train_pts, BLUE, "train")?;
        for (values, color, label) in [(validation, GREEN, "validation"), (test, RED, "test")] {
            let pts: Vec<(f64, f64)> = values
                .iter()
                .enumerate()
                .filter_map(|(i, a)| a.map(|a| (i as f64, a)))
                .collect();
            if !pts.is_empty() {
                dotted_line(&mut chart, &pts, color, label)?;
            }
        }
        legend(
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::LowerRight),
        )?;
        Ok(())
    }
}

/// One line of the sweep figure: through `points` in `color`, a dot on each point, and its
/// `label` in the legend.
fn dotted_line<DB: DrawingBackend>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    points: &[(f64, f64)],
    color: RGBColor,
    label: &str,
) -> Drawn {
    chart
        .draw_series(LineSeries::new(points.to_vec(), color.stroke_width(2)))
        .map_err(|e| e.to_string())?
        .label(label)
        .legend(legend_mark(color.stroke_width(2)));
    chart
        .draw_series(points.iter().map(|&p| Circle::new(p, 4, color.filled())))
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// A picture with its caption, for the mislabelled grid.
pub struct Tile {
    /// Row-major RGB bytes, `height × width × 3`.
    pub rgb: Vec<u8>,
    pub caption: String,
}

/// Pictures side by side with captions ("predicted: cat / label: non-cat"), like the course's
/// `print_mislabeled_images`.
pub fn image_grid(
    dir: &Path,
    stem: &str,
    title: &str,
    tiles: &[Tile],
    height: usize,
    width: usize,
) -> Result<()> {
    let rows = tiles.len().div_ceil(COLS).max(1);
    let (cell_w, cell_h) = (width * SCALE + 20, height * SCALE + 40);
    let size = ((COLS * cell_w) as u32, (rows * cell_h + 40) as u32);
    both(
        dir,
        stem,
        size,
        &GridFigure {
            title,
            tiles,
            height,
            width,
            cell: (cell_w, cell_h),
        },
    )
}

const COLS: usize = 5;
const SCALE: usize = 2;

struct GridFigure<'a> {
    title: &'a str,
    tiles: &'a [Tile],
    height: usize,
    width: usize,
    cell: (usize, usize),
}

impl Figure for GridFigure<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Drawn {
        let (height, width, (cell_w, cell_h)) = (self.height, self.width, self.cell);
        root.draw(&Text::new(self.title.to_string(), (10, 10), (FONT, 18)))
            .map_err(|e| e.to_string())?;
        for (k, tile) in self.tiles.iter().enumerate() {
            let (ox, oy) = ((k % COLS) * cell_w + 10, (k / COLS) * cell_h + 40);
            for r in 0..height {
                for c in 0..width {
                    let p = &tile.rgb[(r * width + c) * 3..(r * width + c) * 3 + 3];
                    let (x, y) = ((ox + c * SCALE) as i32, (oy + r * SCALE) as i32);
                    root.draw(&Rectangle::new(
                        [(x, y), (x + SCALE as i32, y + SCALE as i32)],
                        RGBColor(p[0], p[1], p[2]).filled(),
                    ))
                    .map_err(|e| e.to_string())?;
                }
            }
            root.draw(&Text::new(
                tile.caption.clone(),
                (ox as i32, (oy + height * SCALE + 4) as i32),
                (FONT, 12),
            ))
            .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}
