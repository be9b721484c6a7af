import Annotations
import ArgumentParser

/// `finsync categories [add|rename|merge|orphans]`.
struct CategoriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "categories", abstract: "List, define, rename and merge categories.",
                                                    subcommands: [List.self, Add.self, Rename.self, Merge.self, Orphans.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Every category.")
        @OptionGroup var database: SettingsOptions
        func run() async throws {
            let list = try await AnnotationCLI.withWriter(database) { w in try await w.categories().sorted }
            if list.isEmpty { print("(no categories: `finsync categories add <name>`)"); return }
            let names = Dictionary(list.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            for c in list { print("\(c.id)  \(c.name)\(c.mergedInto.map { "  (merged into \(names[$0] ?? $0))" } ?? "")") }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Define a category.")
        @OptionGroup var database: SettingsOptions
        @Argument var name: String
        func run() async throws {
            let r = try await AnnotationCLI.withWriter(database) { w in try await w.defineCategory(name, actor: AnnotationCLI.actor) }
            print("\(r.id)  \(name)")
        }
    }

    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rename", abstract: "Rename a category.")
        @OptionGroup var database: SettingsOptions
        @Argument(help: "The category (name or id).") var category: String
        @Argument var name: String
        func run() async throws {
            _ = try await AnnotationCLI.withWriter(database) { w in try await w.renameCategory(category, to: name, actor: AnnotationCLI.actor) }
            print("renamed \(category) to \(name)")
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "merge", abstract: "Merge a category into another (its transactions and rules move).")
        @OptionGroup var database: SettingsOptions
        @Argument(help: "The category to merge (name or id).") var category: String
        @Argument(help: "The category it becomes (name or id).") var into: String
        func run() async throws {
            _ = try await AnnotationCLI.withWriter(database) { w in try await w.mergeCategory(category, into: into, actor: AnnotationCLI.actor) }
            print("merged \(category) into \(into)")
        }
    }

    struct Orphans: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "orphans", abstract: "Annotations whose transaction no longer exists (kept, never dropped).")
        @OptionGroup var database: SettingsOptions
        func run() async throws {
            let list = try await AnnotationCLI.withReader(database) { r in try await r.orphans() }
            if list.isEmpty { print("(no orphaned annotations)"); return }
            for o in list {
                print("\(o.targetID)  \(o.transactionKey)  category \(o.category ?? "-")  tags \(o.tags.joined(separator: ","))  note \(o.note ?? "-")")
            }
        }
    }
}
