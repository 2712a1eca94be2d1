//! `cargo xtask icons`: every app icon, generated from one source image.
//!
//! `icons/source.png` (1024×1024 RGBA) is the one source. From it come the
//! PNG sizes Tauri bundles, `icon.ico` (Windows: PNG-compressed entries) and
//! `icon.icns` (macOS: PNG-compressed entries). `--redraw-source` first
//! redraws the source itself from the drawing below, so the whole set is
//! reproducible from code.

use std::path::Path;

use crate::workspace_root;

const SOURCE_SIZE: u32 = 1024;

/// An RGBA image, 8 bits a channel, not premultiplied.
struct Image {
    size: u32,
    pixels: Vec<[u8; 4]>,
}

/// Regenerates the icon set (and the source, if asked).
pub fn run(redraw_source: bool) -> Result<(), String> {
    let dir = workspace_root().join("icons");
    let source_path = dir.join("source.png");
    if redraw_source {
        write_png(&source_path, &draw_source())?;
    }
    let source = read_png(&source_path)?;
    for (name, size) in [
        ("32x32.png", 32),
        ("64x64.png", 64),
        ("128x128.png", 128),
        ("128x128@2x.png", 256),
        ("icon.png", 512),
    ] {
        write_png(&dir.join(name), &downscale(&source, size))?;
    }
    write_file(&dir.join("icon.ico"), &ico(&source)?)?;
    write_file(&dir.join("icon.icns"), &icns(&source)?)?;
    eprintln!("icons: written to {}", dir.display());
    Ok(())
}

/// The Taskdeck mark: a rounded tile with four log lines in the level
/// colours (debug grey, info blue, warning amber, error red).
fn draw_source() -> Image {
    const SUPERSAMPLE: u32 = 4;
    let size = SOURCE_SIZE as f32;
    let lines: [(f32, f32, [f32; 3]); 4] = [
        (0.30, 0.70, [0.62, 0.66, 0.73]),
        (0.44, 0.58, [0.36, 0.62, 0.98]),
        (0.58, 0.66, [0.98, 0.73, 0.25]),
        (0.72, 0.48, [0.96, 0.36, 0.36]),
    ];
    let mut pixels = Vec::with_capacity((SOURCE_SIZE * SOURCE_SIZE) as usize);
    for y in 0..SOURCE_SIZE {
        for x in 0..SOURCE_SIZE {
            let mut sum = [0.0f32; 4];
            for sy in 0..SUPERSAMPLE {
                for sx in 0..SUPERSAMPLE {
                    let u = (x as f32 + (sx as f32 + 0.5) / SUPERSAMPLE as f32) / size;
                    let v = (y as f32 + (sy as f32 + 0.5) / SUPERSAMPLE as f32) / size;
                    let sample = shade(u, v, &lines);
                    for channel in 0..3 {
                        sum[channel] += sample[channel] * sample[3];
                    }
                    sum[3] += sample[3];
                }
            }
            pixels.push(unpremultiply(sum, (SUPERSAMPLE * SUPERSAMPLE) as f32));
        }
    }
    Image {
        size: SOURCE_SIZE,
        pixels,
    }
}

/// Colour and coverage at (u, v) in the unit square.
fn shade(u: f32, v: f32, lines: &[(f32, f32, [f32; 3])]) -> [f32; 4] {
    if !inside_rounded_square(u, v, 0.06, 0.2) {
        return [0.0; 4];
    }
    for &(centre_y, length, colour) in lines {
        let half_height = 0.045;
        if (v - centre_y).abs() > half_height {
            continue;
        }
        // A bullet, then the line.
        let bullet = ((u - 0.24).powi(2) + (v - centre_y).powi(2)).sqrt() <= half_height;
        let bar_start = 0.33;
        let bar_end = bar_start + length * (0.80 - bar_start) / 0.70;
        let in_bar = u >= bar_start && u <= bar_end && capsule(u, v, bar_start, bar_end, centre_y);
        if bullet || in_bar {
            return [colour[0], colour[1], colour[2], 1.0];
        }
    }
    // Background: a diagonal gradient from deep navy to teal.
    let t = (u + v) / 2.0;
    [0.09 + 0.02 * t, 0.13 + 0.25 * t, 0.27 + 0.22 * t, 1.0]
}

fn capsule(u: f32, v: f32, start: f32, end: f32, centre_y: f32) -> bool {
    let radius = 0.045;
    let nearest_x = u.clamp(start + radius, end - radius);
    ((u - nearest_x).powi(2) + (v - centre_y).powi(2)).sqrt() <= radius
}

fn inside_rounded_square(u: f32, v: f32, margin: f32, radius: f32) -> bool {
    let (low, high) = (margin + radius, 1.0 - margin - radius);
    let nearest_u = u.clamp(low, high);
    let nearest_v = v.clamp(low, high);
    ((u - nearest_u).powi(2) + (v - nearest_v).powi(2)).sqrt() <= radius
}

/// Box-filter downscale in premultiplied space (no dark fringes at edges).
fn downscale(source: &Image, size: u32) -> Image {
    let scale = source.size as f32 / size as f32;
    let mut pixels = Vec::with_capacity((size * size) as usize);
    for y in 0..size {
        for x in 0..size {
            let (x0, x1) = span(x, scale, source.size);
            let (y0, y1) = span(y, scale, source.size);
            let mut sum = [0.0f32; 4];
            for sy in y0..y1 {
                for sx in x0..x1 {
                    let pixel = source.pixels[(sy * source.size + sx) as usize];
                    let alpha = f32::from(pixel[3]) / 255.0;
                    for channel in 0..3 {
                        sum[channel] += f32::from(pixel[channel]) / 255.0 * alpha;
                    }
                    sum[3] += alpha;
                }
            }
            pixels.push(unpremultiply(sum, ((x1 - x0) * (y1 - y0)) as f32));
        }
    }
    Image { size, pixels }
}

fn span(index: u32, scale: f32, limit: u32) -> (u32, u32) {
    let start = (index as f32 * scale).floor() as u32;
    let end = (((index + 1) as f32 * scale).ceil() as u32).clamp(start + 1, limit);
    (start, end)
}

fn unpremultiply(sum: [f32; 4], count: f32) -> [u8; 4] {
    let alpha = sum[3] / count;
    let channel = |value: f32| {
        if alpha <= 0.0 {
            0
        } else {
            ((value / count / alpha).clamp(0.0, 1.0) * 255.0).round() as u8
        }
    };
    [
        channel(sum[0]),
        channel(sum[1]),
        channel(sum[2]),
        (alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
    ]
}

fn encode_png(image: &Image) -> Result<Vec<u8>, String> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, image.size, image.size);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|error| format!("png header: {error}"))?;
    let data: Vec<u8> = image.pixels.iter().flatten().copied().collect();
    writer
        .write_image_data(&data)
        .map_err(|error| format!("png data: {error}"))?;
    writer
        .finish()
        .map_err(|error| format!("png finish: {error}"))?;
    Ok(bytes)
}

fn write_png(path: &Path, image: &Image) -> Result<(), String> {
    write_file(path, &encode_png(image)?)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

fn read_png(path: &Path) -> Result<Image, String> {
    let file = std::fs::File::open(path)
        .map_err(|error| format!("cannot open {}: {error}", path.display()))?;
    let mut reader = png::Decoder::new(file)
        .read_info()
        .map_err(|error| format!("{}: {error}", path.display()))?;
    let mut data = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut data)
        .map_err(|error| format!("{}: {error}", path.display()))?;
    if info.color_type != png::ColorType::Rgba
        || info.bit_depth != png::BitDepth::Eight
        || info.width != SOURCE_SIZE
        || info.height != SOURCE_SIZE
    {
        return Err(format!(
            "{} must be a {SOURCE_SIZE}x{SOURCE_SIZE} 8-bit RGBA PNG",
            path.display()
        ));
    }
    let pixels = data[..info.buffer_size()]
        .chunks_exact(4)
        .map(|chunk| [chunk[0], chunk[1], chunk[2], chunk[3]])
        .collect();
    Ok(Image {
        size: SOURCE_SIZE,
        pixels,
    })
}

/// A Windows .ico whose entries are PNG images (supported since Vista).
fn ico(source: &Image) -> Result<Vec<u8>, String> {
    let sizes = [16u32, 24, 32, 48, 64, 128, 256];
    let images = sizes
        .iter()
        .map(|&size| encode_png(&downscale(source, size)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    out.extend_from_slice(&[0, 0, 1, 0]);
    out.extend_from_slice(&(sizes.len() as u16).to_le_bytes());
    let mut offset = 6 + 16 * sizes.len() as u32;
    for (size, png) in sizes.iter().zip(&images) {
        // 256 is written as 0 in the one-byte width and height fields.
        let dimension = if *size >= 256 { 0 } else { *size as u8 };
        out.extend_from_slice(&[dimension, dimension, 0, 0]);
        out.extend_from_slice(&1u16.to_le_bytes());
        out.extend_from_slice(&32u16.to_le_bytes());
        out.extend_from_slice(&(png.len() as u32).to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        offset += png.len() as u32;
    }
    for png in images {
        out.extend_from_slice(&png);
    }
    Ok(out)
}

/// A macOS .icns whose entries are PNG images.
fn icns(source: &Image) -> Result<Vec<u8>, String> {
    let entries: [(&[u8; 4], u32); 8] = [
        (b"icp4", 16),
        (b"icp5", 32),
        (b"icp6", 64),
        (b"ic07", 128),
        (b"ic08", 256),
        (b"ic09", 512),
        (b"ic10", 1024),
        (b"ic11", 32),
    ];
    let mut body = Vec::new();
    for (kind, size) in entries {
        let png = if size == SOURCE_SIZE {
            encode_png(source)?
        } else {
            encode_png(&downscale(source, size))?
        };
        body.extend_from_slice(kind);
        body.extend_from_slice(&(png.len() as u32 + 8).to_be_bytes());
        body.extend_from_slice(&png);
    }
    let mut out = Vec::with_capacity(body.len() + 8);
    out.extend_from_slice(b"icns");
    out.extend_from_slice(&(body.len() as u32 + 8).to_be_bytes());
    out.extend_from_slice(&body);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn solid(size: u32, pixel: [u8; 4]) -> Image {
        Image {
            size,
            pixels: vec![pixel; (size * size) as usize],
        }
    }

    #[test]
    fn downscaling_a_solid_image_keeps_its_colour() {
        let small = downscale(&solid(96, [10, 200, 30, 255]), 24);
        assert_eq!(small.size, 24);
        assert!(
            small
                .pixels
                .iter()
                .all(|pixel| *pixel == [10, 200, 30, 255])
        );
    }

    #[test]
    fn the_drawing_is_transparent_in_the_corners_and_opaque_in_the_middle() {
        let image = draw_source();
        assert_eq!(image.pixels[0][3], 0);
        let centre = (SOURCE_SIZE / 2 * SOURCE_SIZE + SOURCE_SIZE / 2) as usize;
        assert_eq!(image.pixels[centre][3], 255);
    }

    #[test]
    fn the_committed_icons_are_what_the_source_produces() {
        let dir = workspace_root().join("icons");
        let source = read_png(&dir.join("source.png")).unwrap();
        let committed = std::fs::read(dir.join("128x128.png")).unwrap();
        assert_eq!(committed, encode_png(&downscale(&source, 128)).unwrap());
        assert_eq!(
            std::fs::read(dir.join("icon.ico")).unwrap(),
            ico(&source).unwrap()
        );
        assert_eq!(
            std::fs::read(dir.join("icon.icns")).unwrap(),
            icns(&source).unwrap()
        );
    }
}
