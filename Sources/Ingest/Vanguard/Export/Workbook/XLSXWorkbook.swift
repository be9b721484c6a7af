import Foundation
import SWXMLHash

/// Reads an .xlsx workbook (Office Open XML spreadsheet) into sheets of displayed cell text,
/// the form the export's section parser reads (``ExportSheet``): every sheet in workbook
/// order, shared and inline strings, numbers shown with their cell's number format and
/// serial day numbers as `dd/mm/yyyy` (``XLSXNumberFormat``, ``SpreadsheetDate``).
///
/// The container is read with ZIPFoundation (``XLSXArchive``) and the XML parts with
/// SWXMLHash; element names are compared without their namespace prefix.
enum XLSXWorkbook {
    /// The sheets of the workbook in `data`.
    /// - Throws: ``XLSXProblem``: `notAWorkbook` when the ZIP has no workbook part,
    ///   otherwise what is damaged (the container, a part, its XML, a shared string index).
    static func sheets(from data: Data) throws(XLSXProblem) -> [ExportSheet] {
        var archive = try XLSXArchive(data: data)
        let workbookPath = try officeDocument(in: &archive)
        guard let workbookXML = try archive.part(workbookPath) else {
            throw XLSXProblem("it is a ZIP archive but holds no Excel workbook (\(workbookPath) is missing)", notAWorkbook: true)
        }
        let workbook = try root(workbookXML, part: workbookPath)
        guard localName(workbook) == "workbook" else {
            throw XLSXProblem("it is a ZIP archive but not an Excel workbook (\(workbookPath) is a \(localName(workbook)))", notAWorkbook: true)
        }
        let folder = workbookPath.split(separator: "/").dropLast().joined(separator: "/")
        let relsPath = (folder.isEmpty ? "" : folder + "/") + "_rels/" + (workbookPath.split(separator: "/").last.map(String.init) ?? "workbook.xml") + ".rels"
        let rels = try relationships(archive.part(relsPath), part: relsPath, folder: folder)
        let date1904 = children(workbook, "workbookPr").first.flatMap { attribute($0, "date1904") }.map { $0 == "1" || $0.lowercased() == "true" } ?? false

        func partPath(type: String, fallback: String) -> String {
            rels.values.first { $0.type.hasSuffix("/" + type) }?.target ?? (folder.isEmpty ? fallback : folder + "/" + fallback)
        }
        let sharedPath = partPath(type: "sharedStrings", fallback: "sharedStrings.xml")
        var shared: [String] = []
        if let data = try archive.part(sharedPath) { shared = try sharedStrings(data, part: sharedPath) }
        let stylesPath = partPath(type: "styles", fallback: "styles.xml")
        var formats: [XLSXNumberFormat] = []
        if let data = try archive.part(stylesPath) { formats = try cellFormats(data, part: stylesPath) }

        var sheets: [ExportSheet] = []
        for sheet in children(workbook, "sheets").flatMap({ children($0, "sheet") }) {
            let name = attribute(sheet, "name") ?? "Sheet\(sheets.count + 1)"
            guard let id = attribute(sheet, "id"), let target = rels[id]?.target else {
                throw XLSXProblem("sheet \"\(name)\" has no relationship to its part")
            }
            guard let xml = try archive.part(target) else { throw XLSXProblem("sheet \"\(name)\" (\(target)) is missing") }
            let context = CellContext(shared: shared, formats: formats, date1904: date1904, sheet: name)
            sheets.append(ExportSheet(name: name, lines: try lines(xml, part: target, context: context)))
        }
        guard !sheets.isEmpty else { throw XLSXProblem("the workbook has no sheets") }
        return sheets
    }

    /// What a cell's value needs besides itself.
    struct CellContext {
        var shared: [String]
        var formats: [XLSXNumberFormat]
        var date1904: Bool
        var sheet: String
    }

    /// The main part named by `_rels/.rels` (`xl/workbook.xml` when it names none).
    static func officeDocument(in archive: inout XLSXArchive) throws(XLSXProblem) -> String {
        guard let data = try archive.part("_rels/.rels") else {
            guard archive.contains("xl/workbook.xml") else {
                throw XLSXProblem("it is a ZIP archive but not an Excel workbook (no _rels/.rels or xl/workbook.xml)", notAWorkbook: true)
            }
            return "xl/workbook.xml"
        }
        let rels = try relationships(data, part: "_rels/.rels", folder: "")
        return rels.values.first { $0.type.hasSuffix("/officeDocument") }?.target ?? "xl/workbook.xml"
    }

    /// A `.rels` part: relationship id → type and target (resolved against `folder`).
    static func relationships(_ data: Data?, part: String, folder: String) throws(XLSXProblem) -> [String: (type: String, target: String)] {
        guard let data else { return [:] }
        var out: [String: (type: String, target: String)] = [:]
        for r in children(try root(data, part: part), "Relationship") {
            guard let id = attribute(r, "Id"), let target = attribute(r, "Target") else { continue }
            out[id] = (attribute(r, "Type") ?? "", resolve(target, in: folder))
        }
        return out
    }

    /// A relationship target as a path inside the archive.
    static func resolve(_ target: String, in folder: String) -> String {
        if target.hasPrefix("/") { return String(target.dropFirst()) }
        var parts = folder.split(separator: "/").map(String.init)
        for piece in target.split(separator: "/") {
            if piece == ".." { _ = parts.popLast() } else if piece != "." { parts.append(String(piece)) }
        }
        return parts.joined(separator: "/")
    }

    /// `sharedStrings.xml`: each `<si>`'s text (plain `<t>` or rich-text runs; phonetic
    /// `<rPh>` runs are not part of the text).
    static func sharedStrings(_ data: Data, part: String) throws(XLSXProblem) -> [String] {
        children(try root(data, part: part), "si").map(stringItem)
    }

    /// The text of an `<si>` or `<is>` element.
    static func stringItem(_ e: SWXMLHash.XMLElement) -> String {
        var s = ""
        for child in e.children.compactMap({ $0 as? SWXMLHash.XMLElement }) {
            switch localName(child) {
            case "t": s += child.text
            case "r": s += children(child, "t").map(\.text).joined()
            default: break
            }
        }
        return unescape(s)
    }

    /// OOXML writes characters XML cannot hold as `_xHHHH_` (`_x000D_` for a CR).
    static func unescape(_ s: String) -> String {
        guard s.contains("_x") else { return s }
        var out = "", rest = Substring(s)
        while let r = rest.range(of: "_x") {
            out += rest[..<r.lowerBound]
            let after = rest[r.upperBound...]
            let hex = after.prefix(4)
            if hex.count == 4, after.dropFirst(4).first == "_", let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) {
                out.unicodeScalars.append(scalar)
                rest = after.dropFirst(5)
            } else {
                out += "_x"
                rest = after
            }
        }
        return out + rest
    }

    /// `styles.xml`: the number format of each cell format (`<cellXfs><xf numFmtId>`), by
    /// the index a cell's `s` attribute gives.
    static func cellFormats(_ data: Data, part: String) throws(XLSXProblem) -> [XLSXNumberFormat] {
        let styles = try root(data, part: part)
        var custom: [Int: String] = [:]
        for f in children(styles, "numFmts").flatMap({ children($0, "numFmt") }) {
            if let id = attribute(f, "numFmtId").flatMap(Int.init), let code = attribute(f, "formatCode") { custom[id] = code }
        }
        return children(styles, "cellXfs").flatMap { children($0, "xf") }.map {
            XLSXNumberFormat(id: attribute($0, "numFmtId").flatMap(Int.init) ?? 0, custom: custom)
        }
    }

    /// A worksheet's rows as lines of displayed text, each cell in the column its reference
    /// (`C12`) names; rows and columns that are absent are blank.
    static func lines(_ data: Data, part: String, context: CellContext) throws(XLSXProblem) -> [ExportSheet.Line] {
        let sheet = try root(data, part: part)
        var lines: [ExportSheet.Line] = []
        var previousRow = 0
        for row in children(sheet, "sheetData").flatMap({ children($0, "row") }) {
            let number = attribute(row, "r").flatMap(Int.init) ?? previousRow + 1
            guard number > previousRow, number <= 1_048_576 else { throw XLSXProblem("sheet \"\(context.sheet)\": row \(number) is out of order") }
            previousRow = number
            var cells: [String] = []
            for c in children(row, "c") {
                var column = cells.count
                if let ref = attribute(c, "r") {
                    guard let col = columnIndex(ref) else { throw XLSXProblem("sheet \"\(context.sheet)\": \"\(ref.prefix(20))\" is not a cell reference") }
                    column = col
                }
                guard column >= cells.count, column < 16_384 else { throw XLSXProblem("sheet \"\(context.sheet)\" row \(number): cells out of order") }
                while cells.count < column { cells.append("") }
                cells.append(try value(of: c, context: context, row: number))
            }
            while let last = cells.last, last.isEmpty { cells.removeLast() }
            guard !cells.isEmpty else { continue }
            lines.append(ExportSheet.Line(number: number, cells: cells, cellLines: Array(repeating: number, count: cells.count)))
        }
        return lines
    }

    /// A cell's text as Excel shows it.
    static func value(of c: SWXMLHash.XMLElement, context: CellContext, row: Int) throws(XLSXProblem) -> String {
        let v = children(c, "v").first?.text
        switch attribute(c, "t") ?? "n" {
        case "s":
            guard let v, let i = Int(v.trimmingCharacters(in: .whitespaces)), context.shared.indices.contains(i) else {
                throw XLSXProblem("sheet \"\(context.sheet)\" row \(row): a shared string index (\(v?.prefix(20) ?? "none")) that the workbook does not have")
            }
            return context.shared[i]
        case "inlineStr": return children(c, "is").first.map(stringItem) ?? ""
        case "str", "e": return unescape(v ?? "")
        case "b": return v == "1" ? "TRUE" : "FALSE"
        case "d":
            // An ISO 8601 date cell: as the export writes dates.
            guard let v, v.count >= 10, let y = Int(v.prefix(4)), let m = Int(v.dropFirst(5).prefix(2)), let d = Int(v.dropFirst(8).prefix(2)) else { return v ?? "" }
            return String(format: "%02d/%02d/%04d", d, m, y)
        default:
            guard let v else { return "" }
            let style = attribute(c, "s").flatMap(Int.init) ?? 0
            let format = context.formats.indices.contains(style) ? context.formats[style] : XLSXNumberFormat(id: 0, custom: [:])
            return format.render(v, date1904: context.date1904)
        }
    }

    /// `C12` → 2 (0-based column), or nil.
    static func columnIndex(_ ref: String) -> Int? {
        let letters = ref.prefix { $0.isASCII && $0.isLetter }
        guard !letters.isEmpty, letters.count <= 3, ref.dropFirst(letters.count).allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return letters.uppercased().unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }

    /// The document element of an XML part.
    static func root(_ data: Data, part: String) throws(XLSXProblem) -> SWXMLHash.XMLElement {
        let parsed = XMLHash.config { $0.detectParsingErrors = true }.parse(data)
        if case .parsingError(let e) = parsed { throw XLSXProblem("\(part) is not well-formed XML (line \(e.line), column \(e.column))") }
        guard let top = parsed.element?.children.compactMap({ $0 as? SWXMLHash.XMLElement }).first else {
            throw XLSXProblem("\(part) is empty")
        }
        return top
    }

    static func localName(_ e: SWXMLHash.XMLElement) -> String { e.name.split(separator: ":").last.map(String.init) ?? e.name }

    static func children(_ e: SWXMLHash.XMLElement, _ name: String) -> [SWXMLHash.XMLElement] {
        e.children.compactMap { $0 as? SWXMLHash.XMLElement }.filter { localName($0) == name }
    }

    /// An attribute by its local name (`r:id` is found as `id`).
    static func attribute(_ e: SWXMLHash.XMLElement, _ name: String) -> String? {
        if let a = e.allAttributes[name] { return a.text }
        return e.allAttributes.first { $0.key.split(separator: ":").last.map(String.init) == name }?.value.text
    }
}
