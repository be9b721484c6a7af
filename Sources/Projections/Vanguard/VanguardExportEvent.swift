import CanonicalJSON
import EventCatalog
import Foundation

/// The payload of a `vanguard.transaction.imported` event, the one home of its shape:
/// `{"account": <title>, "section": "cash"|"investment", "row": {<header>: <cell as written>}, "occurrence": n}`,
/// where `occurrence` counts identical rows (same account, section and cells) earlier in the
/// file.
///
/// ``init(validating:)`` is the check the importer's rows pass before they are appended and
/// the projection applies to every stored event before any SQL, so a bad cell is found in
/// Swift, never by a database error.
public struct VanguardExportEvent: Sendable, Equatable {
    public var account: String
    public var section: VanguardExportSection
    /// The `row` object as stored (its canonical text is kept verbatim in `vg_transactions.raw`).
    public var rowJSON: JSONValue
    public var occurrence: Int
    /// The row, interpreted.
    public var row: VanguardExportRow

    /// The payload for one row of an export.
    public static func payload(account: String, section: VanguardExportSection, row: JSONValue, occurrence: Int) -> JSONValue {
        ["account": .string(account), "section": .string(section.rawValue), "row": row, "occurrence": .number(String(occurrence))]
    }

    /// The `row` object for cells as written.
    public static func rowJSON(_ cells: [String: String]) -> JSONValue {
        .object(cells.mapValues { .string($0) })
    }

    /// Reads and validates a stored payload.
    /// - Throws: ``VanguardExportRowError``: `malformedPayload` for a payload without the
    ///   importer's shape, otherwise the first bad cell or account title.
    public init(validating payload: JSONValue) throws(VanguardExportRowError) {
        guard let account = payload["account"]?.string else { throw Self.malformed("account is missing or not a string") }
        try Self.validate(account: account)
        guard let s = payload["section"]?.string, let section = VanguardExportSection(rawValue: s) else {
            throw Self.malformed("section is missing or not \"cash\" or \"investment\"")
        }
        guard case .number(let n)? = payload["occurrence"], let occurrence = Int(n), occurrence >= 0 else {
            throw Self.malformed("occurrence is missing or not a whole number ≥ 0")
        }
        guard let rowJSON = payload["row"] else { throw Self.malformed("row is missing") }
        self.account = account
        self.section = section
        self.rowJSON = rowJSON
        self.occurrence = occurrence
        self.row = try VanguardExportRow(validating: section, cells: try Self.cells(ofRow: rowJSON))
    }

    /// Checks an account title (the line naming the account's block): not blank, no NUL.
    public static func validate(account: String) throws(VanguardExportRowError) {
        if account.trimmingCharacters(in: .whitespaces).isEmpty { throw malformed("the account title is blank") }
        if account.utf8.contains(0) {
            throw VanguardExportRowError(code: .nulCharacter, column: nil, text: account, message: "(the account title) holds a NUL character; re-export the file as plain CSV")
        }
    }

    /// The cells of a stored `row` object.
    /// - Throws: `malformedPayload` unless it is an object of strings.
    public static func cells(ofRow row: JSONValue) throws(VanguardExportRowError) -> [String: String] {
        guard let o = row.object else { throw malformed("row is not an object") }
        var cells: [String: String] = [:]
        for (column, value) in o {
            guard let s = value.string else {
                throw VanguardExportRowError(code: .malformedPayload, column: column, text: nil, message: "is not a string")
            }
            cells[column] = s
        }
        return cells
    }

    /// The `vg_transactions` id of this row imported on `stream`.
    public func rowID(stream: String) -> String {
        DeterministicID.string("vanguard", "export-row", StreamName.connection(of: stream), account, section.rawValue, rowJSON.canonicalString, String(occurrence))
    }

    private static func malformed(_ message: String) -> VanguardExportRowError {
        VanguardExportRowError(code: .malformedPayload, column: nil, text: nil, message: message)
    }
}
