/// Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, quotes
/// doubled, and line breaks; CRLF or LF; a UTF-8 BOM is ignored).
struct CSVReader {
    struct Line: Sendable, Equatable {
        /// 1-based line number where the row starts.
        var number: Int
        var cells: [String]
    }

    static func read(_ text: String) -> [Line] {
        var lines: [Line] = []
        var cells: [String] = [], cell = "", quoted = false, atCellStart = true
        var lineNumber = 1, rowStart = 1
        var chars = Array(text.unicodeScalars)[...]
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        var i = chars.startIndex
        func endRow() {
            cells.append(cell)
            lines.append(Line(number: rowStart, cells: cells))
            cells = []; cell = ""; atCellStart = true
        }
        while i < chars.endIndex {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if chars.index(after: i) < chars.endIndex, chars[chars.index(after: i)] == "\"" { cell.unicodeScalars.append("\""); i = chars.index(after: i) } else { quoted = false }
                } else {
                    if c == "\n" { lineNumber += 1 }
                    cell.unicodeScalars.append(c)
                }
            } else if c == "\"" && atCellStart {
                quoted = true; atCellStart = false
            } else if c == "," {
                cells.append(cell); cell = ""; atCellStart = true
            } else if c == "\r" {
                // CRLF or a lone CR ends the row
                endRow(); lineNumber += 1; rowStart = lineNumber
                if chars.index(after: i) < chars.endIndex, chars[chars.index(after: i)] == "\n" { i = chars.index(after: i) }
            } else if c == "\n" {
                endRow(); lineNumber += 1; rowStart = lineNumber
            } else {
                cell.unicodeScalars.append(c); atCellStart = false
            }
            i = chars.index(after: i)
        }
        if !cell.isEmpty || !cells.isEmpty { endRow() }
        return lines
    }
}
