// exif_jpeg.mjs — a small real JPEG (8 × 8, made by gdk-pixbuf) with an EXIF block written here:
// DateTimeOriginal and a GPS position, as a phone camera writes them. Used by the visit tests
// (API and browser) to check that the server reads when and where a photo was taken.
export const TINY_JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwBaKKKg8A//2Q==',
  'base64');

/**
 * The JPEG with an EXIF block (little-endian TIFF): taken is "YYYY:MM:DD HH:MM:SS" (camera local
 * time); lat and lng are [degrees, minutes, seconds × 100] with hemispheres latRef ('N'/'S') and
 * lngRef ('E'/'W'). Layout: IFD0 (ExifIFD and GPS pointers) at 8, Exif IFD at 38, the date at 56,
 * GPS IFD at 76, latitude at 130, longitude at 154.
 */
export function jpegWithExif({ taken, lat, lng, latRef = 'N', lngRef = 'E' }) {
  const t = Buffer.alloc(178);
  t.write('II', 0, 'latin1'); t.writeUInt16LE(42, 2); t.writeUInt32LE(8, 4);
  const entry = (at, tag, type, count, value) => {
    t.writeUInt16LE(tag, at); t.writeUInt16LE(type, at + 2); t.writeUInt32LE(count, at + 4);
    if (typeof value === 'string') t.write(value, at + 8, 'latin1'); else t.writeUInt32LE(value, at + 8);
  };
  t.writeUInt16LE(2, 8); entry(10, 0x8769, 4, 1, 38); entry(22, 0x8825, 4, 1, 76); t.writeUInt32LE(0, 34);
  t.writeUInt16LE(1, 38); entry(40, 0x9003, 2, 20, 56); t.writeUInt32LE(0, 52);
  t.write(`${taken}\0`, 56, 'latin1');
  t.writeUInt16LE(4, 76);
  entry(78, 1, 2, 2, `${latRef}\0`); entry(90, 2, 5, 3, 130); entry(102, 3, 2, 2, `${lngRef}\0`); entry(114, 4, 5, 3, 154);
  t.writeUInt32LE(0, 126);
  const dms = (at, [d, m, s100]) => [[d, 1], [m, 1], [s100, 100]].forEach(([n, q], i) => {
    t.writeUInt32LE(n, at + 8 * i); t.writeUInt32LE(q, at + 8 * i + 4);
  });
  dms(130, lat); dms(154, lng);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(0xFFE1, 0); head.writeUInt16BE(2 + 6 + t.length, 2); head.write('Exif\0\0', 4, 'latin1');
  return Buffer.concat([TINY_JPEG.subarray(0, 2), head, t, TINY_JPEG.subarray(2)]);
}
