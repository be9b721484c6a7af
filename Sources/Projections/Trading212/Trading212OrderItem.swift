import CanonicalJSON

/// The key of a Trading212 history order item (either API generation: the order itself, or
/// `{"order": …, "fill": …}`): the one reading shared by the extractor and `investments_raw`.
public struct Trading212OrderItem: Sendable {
    /// The order object (the item itself in the legacy generation).
    public let order: JSONValue
    public let id: String
    /// The fill's id, or "" when the item has none.
    public let fillID: String

    /// - Throws: a message naming what is missing.
    public init(_ j: JSONValue) throws(NormalisationError) {
        let o = j["order"]?.object != nil ? (j["order"] ?? j) : j
        guard let id = o["id"]?.numberText ?? o["id"]?.string else { throw .init(description: "order id is missing") }
        order = o
        self.id = id
        fillID = j["fill"]?["id"]?.numberText ?? j["fillId"]?.numberText ?? ""
    }
}
