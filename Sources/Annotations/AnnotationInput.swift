import Foundation

/// Validation of what a person types, shared by the CLI and the API (the writer calls it
/// before appending anything).
public enum AnnotationInput {
    /// The longest tag or category name, in characters.
    public static let maxTagLength = 64

    /// A tag: non-empty after trimming, at most ``maxTagLength`` characters, no control
    /// characters. Returns it trimmed.
    public static func tag(_ raw: String, field: String = "tag") throws(AnnotationError) -> String {
        try label(raw, field: field, what: "a tag")
    }

    /// A category name: the same rules as a tag.
    public static func categoryName(_ raw: String, field: String = "name") throws(AnnotationError) -> String {
        try label(raw, field: field, what: "a category name")
    }

    /// A note: no control characters other than newline and tab, at most 4,000 characters.
    public static func note(_ raw: String, field: String = "note") throws(AnnotationError) -> String {
        if raw.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) {
            throw .invalid(field, "a note may not contain control characters other than newline and tab")
        }
        guard raw.count <= 4_000 else { throw .invalid(field, "a note is at most 4000 characters (this one has \(raw.count))") }
        return raw
    }

    /// A rule's text condition (provider, account, counterparty, description, regular
    /// expression): no control characters, at most `max` characters; blank means none.
    public static func condition(_ raw: String?, field: String, max: Int = 500) throws(AnnotationError) -> String? {
        guard let s = raw.map({ $0.trimmingCharacters(in: .whitespaces) }), !s.isEmpty else { return nil }
        guard !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else { throw .invalid(field, "may not contain control characters") }
        guard s.count <= max else { throw .invalid(field, "is at most \(max) characters (this one has \(s.count))") }
        return s
    }

    static func label(_ raw: String, field: String, what: String) throws(AnnotationError) -> String {
        let s = raw.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { throw .invalid(field, "\(what) may not be empty") }
        guard s.count <= maxTagLength else { throw .invalid(field, "\(what) is at most \(maxTagLength) characters (this one has \(s.count))") }
        guard !s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid(field, "\(what) may not contain control characters")
        }
        return s
    }
}
