/// Splits CSV text into rows of cells (RFC 4180: quoted cells may hold commas, quotes
/// doubled, and line breaks; CRLF or LF; a UTF-8 BOM is ignored).
struct CSVReader {
    typealias Line = ExportSheet.Line

    static func read(_ text: String) -> [Line] {
        var lines: [Line] = []
        var cells: [String] = [], cell = "", quoted = false, atCellStart = true
        var cellLines: [Int] = []
        var lineNumber = 1, rowStart = 1, cellStart = 1
        var chars = Array(text.unicodeScalars)[...]
        if chars.first == "\u{FEFF}" { chars = chars.dropFirst() }
        var i = chars.startIndex
        func endCell() {
            cells.append(cell); cellLines.append(cellStart)
            cell = ""; atCellStart = true; cellStart = lineNumber
        }
        func endRow() {
            endCell()
            lines.append(Line(number: rowStart, cells: cells, cellLines: cellLines))
            cells = []; cellLines = []
        }
        while i < chars.endIndex {
            let c = chars[i]
            if quoted {
                if c == "\"" {
                    if chars.index(after: i) < chars.endIndex, chars[chars.index(after: i)] == "\"" { cell.unicodeScalars.append("\""); i = chars.index(after: i) } else { quoted = false }
                } else {
                    // A line break inside a quoted cell (LF, CRLF or a lone CR, as outside)
                    // still starts a new line of the file.
                    if c == "\n" || (c == "\r" && (chars.index(after: i) == chars.endIndex || chars[chars.index(after: i)] != "\n")) { lineNumber += 1 }
                    cell.unicodeScalars.append(c)
                }
            } else if c == "\"" && atCellStart {
                quoted = true; atCellStart = false
            } else if c == "," {
                endCell()
            } else if c == "\r" {
                // CRLF or a lone CR ends the row
                endRow(); lineNumber += 1; rowStart = lineNumber; cellStart = lineNumber
                if chars.index(after: i) < chars.endIndex, chars[chars.index(after: i)] == "\n" { i = chars.index(after: i) }
            } else if c == "\n" {
                endRow(); lineNumber += 1; rowStart = lineNumber; cellStart = lineNumber
            } else {
                cell.unicodeScalars.append(c); atCellStart = false
            }
            i = chars.index(after: i)
        }
        if !cell.isEmpty || !cells.isEmpty { endRow() }
        return lines
    }
}
