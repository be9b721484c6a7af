import Foundation
import ZIPFoundation

/// The ZIP container of an .xlsx workbook (read with ZIPFoundation), giving its parts by
/// path with bounded sizes and checked CRCs, so a damaged or hostile file is an error, not
/// a crash or a memory blow-up.
struct XLSXArchive {
    /// The largest part read (a real export's sheets are kilobytes).
    static let maxPartBytes = 64 << 20
    /// The most bytes read from all parts together.
    static let maxTotalBytes = 256 << 20

    private let archive: Archive
    private var budget = XLSXArchive.maxTotalBytes

    /// - Throws: ``XLSXProblem`` when `data` is not a readable ZIP archive.
    init(data: Data) throws(XLSXProblem) {
        do { archive = try Archive(data: data, accessMode: .read) } catch {
            throw XLSXProblem("its ZIP container cannot be read (\(error))")
        }
    }

    /// Whether the archive holds a part at `path`.
    func contains(_ path: String) -> Bool { archive[path] != nil }

    /// The part's bytes, or nil when the archive has no such part.
    /// - Throws: ``XLSXProblem`` when the part is too large, or its data is damaged (bad
    ///   compression or CRC).
    mutating func part(_ path: String) throws(XLSXProblem) -> Data? {
        guard let entry = archive[path] else { return nil }
        guard entry.type == .file else { throw XLSXProblem("\(path) is not a file") }
        guard entry.uncompressedSize <= UInt64(min(Self.maxPartBytes, budget)) else {
            throw XLSXProblem("\(path) is larger than \(Self.maxPartBytes >> 20) MB")
        }
        var data = Data()
        let limit = min(Self.maxPartBytes, budget)
        let crc: CRC32
        do {
            crc = try archive.extract(entry, skipCRC32: false) { chunk in
                guard data.count + chunk.count <= limit else { throw XLSXProblem("\(path) is larger than it says") }
                data.append(chunk)
            }
        } catch let e as XLSXProblem {
            throw e
        } catch {
            throw XLSXProblem("\(path) cannot be decompressed (\(error))")
        }
        guard crc == entry.checksum else { throw XLSXProblem("\(path) fails its CRC check (the file is truncated or corrupted)") }
        budget -= data.count
        return data
    }
}
