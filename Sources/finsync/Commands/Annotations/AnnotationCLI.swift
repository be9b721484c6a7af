import Annotations
import ArgumentParser
import Postgres

/// What the annotation commands share: the actor recorded in the events' metadata, and a
/// writer on the configured database.
enum AnnotationCLI {
    /// Who the CLI's user events are recorded as.
    static let actor = "cli"

    static func withWriter<T>(_ database: SettingsOptions, _ body: (AnnotationWriter) async throws -> T) async throws -> T {
        let conn = try await database.resolve().connect()
        defer { conn.close() }
        do { return try await body(AnnotationWriter(connection: conn)) } catch let e as AnnotationError { throw ValidationError(e.description) }
    }

    static func withReader<T>(_ database: SettingsOptions, _ body: (AnnotationReader) async throws -> T) async throws -> T {
        let conn = try await database.resolve().connect()
        defer { conn.close() }
        do { return try await body(AnnotationReader(connection: conn)) } catch let e as AnnotationError { throw ValidationError(e.description) }
    }
}

/// `finsync tag <transaction> <tag>… [--remove]`.
struct TagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tag", abstract: "Tag (or untag) a transaction; recorded as user events in the log.")
    @OptionGroup var database: SettingsOptions
    @Argument(help: "The transaction id.") var transaction: String
    @Argument(help: "Tags (≤ 64 characters, no control characters).") var tags: [String]
    @Flag(help: "Remove the tags instead.") var remove = false
    @Option(help: "Refuse unless the transaction's annotations are at this version.") var ifVersion: Int64?

    func run() async throws {
        let v = try await AnnotationCLI.withWriter(database) { w in
            var version = ifVersion
            for tag in tags {
                version = remove ? try await w.removeTag(tag, from: transaction, actor: AnnotationCLI.actor, ifVersion: version)
                                 : try await w.addTag(tag, to: transaction, actor: AnnotationCLI.actor, ifVersion: version)
            }
            return version ?? 0
        }
        print("\(remove ? "untagged" : "tagged") \(transaction) (annotations at version \(v))")
    }
}

/// `finsync categorise <transaction> <category>|--clear`.
struct CategoriseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "categorise", abstract: "Set (or clear) a transaction's category; it beats every rule.")
    @OptionGroup var database: SettingsOptions
    @Argument(help: "The transaction id.") var transaction: String
    @Argument(help: "The category (name or id).") var category: String?
    @Flag(help: "Clear the explicit category (rules apply again).") var clear = false
    @Option(help: "Refuse unless the transaction's annotations are at this version.") var ifVersion: Int64?

    func validate() throws {
        if clear == (category != nil) { throw ValidationError("give a category, or --clear") }
    }

    func run() async throws {
        let v = try await AnnotationCLI.withWriter(database) { w in
            if let category { return try await w.setCategory(category, on: transaction, actor: AnnotationCLI.actor, ifVersion: ifVersion) }
            return try await w.clearCategory(on: transaction, actor: AnnotationCLI.actor, ifVersion: ifVersion)
        }
        print("categorised \(transaction) (annotations at version \(v))")
    }
}

/// `finsync note <transaction> <text>` (empty text clears).
struct NoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Set a transaction's note (an empty note clears it).")
    @OptionGroup var database: SettingsOptions
    @Argument(help: "The transaction id.") var transaction: String
    @Argument(help: "The note.") var text: String
    @Option(help: "Refuse unless the transaction's annotations are at this version.") var ifVersion: Int64?

    func run() async throws {
        let v = try await AnnotationCLI.withWriter(database) { w in try await w.setNote(text, on: transaction, actor: AnnotationCLI.actor, ifVersion: ifVersion) }
        print("noted \(transaction) (annotations at version \(v))")
    }
}
