//! Text encodings of exported files: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode
//! text") and Windows-1252 (older Excel on Swedish Windows), detected from the first bytes.

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Guesses the encoding from the start of a file: a BOM decides; otherwise UTF-8 if the bytes
/// are valid UTF-8 (a multi-byte character cut at the end of the sample is allowed), else
/// Windows-1252.
pub fn detect(sample: &[u8]) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(sample) {
        return encoding;
    }
    // UTF-16 without a BOM: every other byte zero in ASCII text.
    if sample.len() >= 4 {
        let zeros_even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let zeros_odd = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count();
        let half = sample.len() / 2;
        if zeros_odd * 10 > half * 8 {
            return UTF_16LE;
        }
        if zeros_even * 10 > half * 8 {
            return UTF_16BE;
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => UTF_8,
        Err(error) if error.error_len().is_none() => UTF_8,
        Err(_) => WINDOWS_1252,
    }
}

/// A reader that turns any supported encoding into UTF-8, streaming, dropping a BOM.
#[derive(Debug)]
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Vec<u8>,
    input_start: usize,
    input_end: usize,
    output: Vec<u8>,
    output_start: usize,
    output_end: usize,
    eof: bool,
    /// UTF-8 needs no decoding: bytes pass through (a BOM dropped); invalid sequences are
    /// left for the reader to reject with the record they are in.
    passthrough: bool,
}

impl<R: Read> DecodingReader<R> {
    /// `prefix` holds bytes already read from `inner` (the detection sample).
    pub fn new(inner: R, encoding: &'static Encoding, prefix: Vec<u8>) -> DecodingReader<R> {
        let mut input = prefix;
        let passthrough = encoding == UTF_8;
        let input_start = if passthrough && input.starts_with(b"\xef\xbb\xbf") {
            3
        } else {
            0
        };
        let input_end = input.len();
        input.resize(input_end.max(64 << 10), 0);
        DecodingReader {
            passthrough,
            inner,
            decoder: encoding.new_decoder_with_bom_removal(),
            input,
            input_start,
            input_end,
            output: vec![0; 128 << 10],
            output_start: 0,
            output_end: 0,
            eof: false,
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        if self.passthrough {
            if self.input_start < self.input_end {
                let n = buffer.len().min(self.input_end - self.input_start);
                buffer[..n].copy_from_slice(&self.input[self.input_start..self.input_start + n]);
                self.input_start += n;
                return Ok(n);
            }
            return self.inner.read(buffer);
        }
        while self.output_start == self.output_end {
            if self.eof && self.input_start == self.input_end {
                return Ok(0);
            }
            if self.input_start == self.input_end && !self.eof {
                self.input_start = 0;
                self.input_end = self.inner.read(&mut self.input)?;
                if self.input_end == 0 {
                    self.eof = true;
                }
            }
            let (_, read, written, _) = self.decoder.decode_to_utf8(
                &self.input[self.input_start..self.input_end],
                &mut self.output,
                self.eof,
            );
            self.input_start += read;
            self.output_start = 0;
            self.output_end = written;
            if self.eof && read == 0 && written == 0 {
                return Ok(0);
            }
        }
        let n = buffer.len().min(self.output_end - self.output_start);
        buffer[..n].copy_from_slice(&self.output[self.output_start..self.output_start + n]);
        self.output_start += n;
        Ok(n)
    }
}

/// Opens a file as UTF-8 text, detecting its encoding. Returns the reader and the encoding's name.
pub fn open_text(
    path: &std::path::Path,
) -> io::Result<(DecodingReader<std::fs::File>, &'static str)> {
    open_reader(std::fs::File::open(path)?, None)
}

/// Like [`open_text`], over any reader (e.g. one that hashes what it reads).
pub fn open_reader<R: Read>(
    mut file: R,
    encoding: Option<&'static Encoding>,
) -> io::Result<(DecodingReader<R>, &'static str)> {
    let mut sample = vec![0u8; 64 << 10];
    let mut filled = 0;
    while filled < sample.len() {
        let n = file.read(&mut sample[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    sample.truncate(filled);
    let encoding = encoding.unwrap_or_else(|| detect(&sample));
    Ok((DecodingReader::new(file, encoding, sample), encoding.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> String {
        let encoding = detect(bytes);
        let mut reader = DecodingReader::new(&b""[..], encoding, bytes.to_vec());
        let mut text = String::new();
        reader.read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn encodings() {
        assert_eq!(decode("Företag;Belopp\n".as_bytes()), "Företag;Belopp\n");
        assert_eq!(decode(b"\xef\xbb\xbfF\xc3\xb6retag"), "Företag");
        // Windows-1252: ö is 0xF6.
        assert_eq!(decode(b"F\xf6retag;\x80 5"), "Företag;€ 5");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Företag\tår".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), "Företag\tår");
        let utf16_no_bom: Vec<u8> = "Name,Value\n"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(decode(&utf16_no_bom), "Name,Value\n");
    }

    #[test]
    fn streams_across_buffer_boundaries() {
        let text = "åäö;".repeat(50_000);
        let mut reader = DecodingReader::new(text.as_bytes(), UTF_8, Vec::new());
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        assert_eq!(out, text);
    }
}
