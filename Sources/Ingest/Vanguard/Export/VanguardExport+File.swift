import Foundation

extension VanguardExport {
    /// The formats an export file may come in, told apart by content (not by name).
    enum FileFormat: Equatable {
        case xlsx, csv
    }

    /// What to say a file should be, in every error about its format.
    static let expected = "expected Vanguard's Client Transactions Listing (Documents → Report generator) as the .xlsx it downloads, or a sheet of it saved as CSV"

    /// Reads the export at `path`: an .xlsx workbook (every sheet) or CSV text.
    /// - Throws: one ``VanguardExportError`` naming the file: unreadable, empty, neither
    ///   format, a damaged workbook, not a Client Transactions Listing, or a bad cell.
    public static func read(path: String) throws -> VanguardExport {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw VanguardExportError(code: .notReadable, file: path, line: nil, message: "cannot be read (missing, a folder, or not readable by this user)")
        }
        return try load(data, file: path)
    }

    /// Parses an export's bytes, whichever format they are in.
    /// - Parameter file: the file's name or path, for error messages.
    public static func load(_ data: Data, file: String) throws -> VanguardExport {
        switch try format(of: data, file: file) {
        case .xlsx:
            let sheets: [ExportSheet]
            do throws(XLSXProblem) { sheets = try XLSXWorkbook.sheets(from: data) } catch {
                throw VanguardExportError(code: error.notAWorkbook ? .notReadable : .damagedWorkbook, file: file, line: nil,
                                          message: error.notAWorkbook ? "\(error); \(expected)" : "is a damaged Excel workbook: \(error); download the report again")
            }
            return try parse(sheets: sheets, file: file)
        case .csv:
            guard let text = String(data: data, encoding: .utf8) else {
                throw VanguardExportError(code: .notReadable, file: file, line: nil, message: "is neither an Excel workbook (.xlsx) nor UTF-8 CSV text; \(expected)")
            }
            return try parse(text, file: file)
        }
    }

    /// .xlsx for a ZIP archive, CSV otherwise (``load(_:file:)`` refuses what is not UTF-8
    /// text); an error for an empty file and an Excel 97–2003 `.xls` (or another OLE2 file).
    static func format(of data: Data, file: String) throws -> FileFormat {
        let head = [UInt8](data.prefix(8))
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
            throw VanguardExportError(code: .notReadable, file: file, line: nil, message: "is empty; \(expected)")
        }
        if head.starts(with: [0x50, 0x4B]) { return .xlsx }  // "PK": a ZIP archive
        if head.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            throw VanguardExportError(code: .notReadable, file: file, line: nil, message: "is an Excel 97–2003 (.xls) or other old Office file; open it and save it as .xlsx, or \(expected)")
        }
        return .csv
    }
}
