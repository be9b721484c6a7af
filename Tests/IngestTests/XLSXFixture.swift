import Foundation
import ZIPFoundation

/// Builds .xlsx workbooks in tests: the XML parts written by hand, zipped with ZIPFoundation,
/// the way Excel lays them out (shared strings, a styles part with built-in and custom number
/// formats, one worksheet part per sheet).
struct XLSXFixture {
    /// A cell as stored.
    enum Cell: ExpressibleByStringLiteral {
        /// A shared string (`t="s"`).
        case text(String)
        /// An inline string (`t="inlineStr"`).
        case inline(String)
        /// A number (its `<v>` text) shown with a cell format.
        case number(String, Style)
        /// A day stored as its serial number (1900 date system), shown with a date format.
        case date(String, Style = .builtInDate)
        case empty

        init(stringLiteral value: String) { self = .text(value) }
    }

    /// The cell formats of the styles part (`<cellXfs>` index = raw value).
    enum Style: Int {
        case general = 0, builtInDate, customDate, money, units, accounting, pounds
    }

    struct Sheet {
        var name: String
        var rows: [[Cell]]
    }

    var sheets: [Sheet]

    /// `dd/mm/yyyy` as Excel's serial day number.
    static func serial(_ date: String) -> Int {
        let p = date.split(separator: "/").compactMap { Int($0) }
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let day = utc.date(from: DateComponents(year: p[2], month: p[1], day: p[0]))!
        let epoch = utc.date(from: DateComponents(year: 1899, month: 12, day: 30))!
        return Int((day.timeIntervalSince(epoch) / 86_400).rounded())
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func column(_ i: Int) -> String {
        var n = i + 1, s = ""
        while n > 0 { let r = (n - 1) % 26; s = String(Character(UnicodeScalar(UInt8(65 + r)))) + s; n = (n - 1) / 26 }
        return s
    }

    /// The parts of the workbook, by path.
    func parts() -> [(String, String)] {
        var shared: [String] = [], index: [String: Int] = [:]
        var sheetParts: [(String, String)] = []
        for (n, sheet) in sheets.enumerated() {
            var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetData>"#
            for (r, row) in sheet.rows.enumerated() {
                xml += #"<row r="\#(r + 1)">"#
                for (c, cell) in row.enumerated() {
                    let ref = Self.column(c) + String(r + 1)
                    switch cell {
                    case .text(let s):
                        let i = index[s] ?? { shared.append(s); index[s] = shared.count - 1; return shared.count - 1 }()
                        xml += #"<c r="\#(ref)" t="s"><v>\#(i)</v></c>"#
                    case .inline(let s): xml += #"<c r="\#(ref)" t="inlineStr"><is><t>\#(Self.escape(s))</t></is></c>"#
                    case .number(let v, let style): xml += #"<c r="\#(ref)" s="\#(style.rawValue)"><v>\#(v)</v></c>"#
                    case .date(let d, let style): xml += #"<c r="\#(ref)" s="\#(style.rawValue)"><v>\#(Self.serial(d))</v></c>"#
                    case .empty: break
                    }
                }
                xml += "</row>"
            }
            xml += "</sheetData></worksheet>"
            sheetParts.append(("xl/worksheets/sheet\(n + 1).xml", xml))
        }
        let sst = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="\#(shared.count)" uniqueCount="\#(shared.count)">"#
            + shared.map { #"<si><t xml:space="preserve">\#(Self.escape($0))</t></si>"# }.joined() + "</sst>"
        let styles = """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
            <numFmts count="5"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="#,##0.0000"/>\
            <numFmt numFmtId="166" formatCode="#,##0.00;(#,##0.00)"/><numFmt numFmtId="167" formatCode="&quot;£&quot;#,##0.00"/></numFmts>\
            <cellXfs count="7"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="4" applyNumberFormat="1"/>\
            <xf numFmtId="165" applyNumberFormat="1"/><xf numFmtId="166" applyNumberFormat="1"/><xf numFmtId="167" applyNumberFormat="1"/></cellXfs></styleSheet>
            """
        let workbook = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>"#
            + sheets.enumerated().map { #"<sheet name="\#(Self.escape($0.element.name))" sheetId="\#($0.offset + 1)" r:id="rId\#($0.offset + 1)"/>"# }.joined() + "</sheets></workbook>"
        let n = sheets.count
        let rels = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
            + (0..<n).map { #"<Relationship Id="rId\#($0 + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet\#($0 + 1).xml"/>"# }.joined()
            + #"<Relationship Id="rId\#(n + 1)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>"#
            + #"<Relationship Id="rId\#(n + 2)" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#
        let root = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#
        let types = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"#
        return [("[Content_Types].xml", types), ("_rels/.rels", root), ("xl/workbook.xml", workbook), ("xl/_rels/workbook.xml.rels", rels),
                ("xl/styles.xml", styles), ("xl/sharedStrings.xml", sst)] + sheetParts
    }

    /// The workbook zipped.
    func data() throws -> Data { try Self.zip(parts()) }

    /// Zips `parts` (deflated) in memory.
    static func zip(_ parts: [(String, String)]) throws -> Data {
        let archive = try Archive(data: Data(), accessMode: .create)
        for (path, text) in parts {
            let bytes = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .deflate) { position, size in
                bytes.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return archive.data ?? Data()
    }

    /// Writes `data` to a new temporary file named `name`.
    static func write(_ data: Data, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("finsync-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }
}
