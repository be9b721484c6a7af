import CanonicalJSON

/// Why a provider item cannot be normalised: the field and what is wrong with it, in words
/// a person can act on (never a secret; provider values are quoted shortened).
///
/// Thrown by the normalisers both sides share (``GoCardlessTransaction``,
/// ``GoCardlessBalance``, ``Trading212CashItem``, …): an extractor reports it against the
/// account before appending, a projection parks the event it comes from.
public struct NormalisationError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }

    /// A short, printable rendering of a provider value for messages (at most 40 characters).
    public static func excerpt(_ v: JSONValue) -> String {
        let text = v.canonicalString
        return text.utf8.count <= 40 ? text : String(text.prefix(37)) + "…"
    }
}
