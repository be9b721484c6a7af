extension StreamName {
    /// `annotations/transaction/<id>`: a person's tags, category and note for one unified
    /// transaction, keyed by the transaction's stable id (its deterministic unified row id
    /// when first annotated; a pending transaction's stream keeps serving its booked successor).
    public static func annotationsTransaction(_ transactionID: String) -> String { join("annotations", "transaction", transactionID) }
    /// `annotations/categories`: every category definition, rename and merge.
    public static let annotationsCategories = join("annotations", "categories")
    /// `annotations/rules`: the ordered rule list (definitions, changes, removals, reorders).
    public static let annotationsRules = join("annotations", "rules")

    /// The transaction id of an `annotations/transaction/<id>` stream, or nil.
    public static func annotatedTransaction(of stream: String) -> String? {
        let parts = stream.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "annotations", parts[1] == "transaction", !parts[2].isEmpty else { return nil }
        return String(parts[2])
    }
}
