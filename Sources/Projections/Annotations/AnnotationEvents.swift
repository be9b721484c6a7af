import EventLog

/// The user event types (``EventCatalog``) the unified projection folds, and the payload
/// members they share. Transaction annotations carry `transaction_id` (the stream's key),
/// `account_id` and `transaction_key` (the unified row's account and provider key when the
/// edit was made: what lets an edit on a pending row follow it to the booked one).
public enum AnnotationEvents {
    enum TransactionEdit { case tagAdded, tagRemoved, categorySet, categoryCleared, noteSet }

    static let transactionKinds: [String: TransactionEdit] = [
        EventCatalog.annotationTagAdded.name: .tagAdded, EventCatalog.annotationTagRemoved.name: .tagRemoved,
        EventCatalog.annotationCategorySet.name: .categorySet, EventCatalog.annotationCategoryCleared.name: .categoryCleared,
        EventCatalog.annotationNoteSet.name: .noteSet,
    ]

    /// Every user event type.
    public static let types: Set<String> = Set(transactionKinds.keys).union([
        EventCatalog.categoryDefined.name, EventCatalog.categoryRenamed.name, EventCatalog.categoryMerged.name,
        EventCatalog.ruleDefined.name, EventCatalog.ruleChanged.name, EventCatalog.ruleRemoved.name, EventCatalog.rulesReordered.name,
    ])
}
