import Foundation

/// The migrations folder cannot be found; says where finsync looked and what to do.
struct SchemasDirectoryError: Error, CustomStringConvertible {
    enum Code: String, Sendable { case missing, notAFolder, notFound }
    var code: Code
    /// The path given in `FINSYNC_SCHEMAS`, when one was.
    var path: String?
    var description: String {
        switch code {
        case .missing: return "\(SchemasDirectory.variable) names the migrations folder \(path ?? "?"), which does not exist; point it at finsync's schemas/ folder"
        case .notAFolder: return "\(SchemasDirectory.variable) names \(path ?? "?"), which is a file; point it at finsync's schemas/ folder"
        case .notFound: return "cannot find the schemas/ folder (the SQL migrations): run from the finsync checkout or set \(SchemasDirectory.variable)"
        }
    }
}

/// Finds `schemas/`: `$FINSYNC_SCHEMAS`, `./schemas`, or beside the executable's package.
enum SchemasDirectory {
    static let variable = "FINSYNC_SCHEMAS"

    static func locate() throws -> URL {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment[variable], !env.isEmpty {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: env, isDirectory: &isDirectory) else { throw SchemasDirectoryError(code: .missing, path: env) }
            guard isDirectory.boolValue else { throw SchemasDirectoryError(code: .notAFolder, path: env) }
            return URL(fileURLWithPath: env)
        }
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("schemas")
        if fm.fileExists(atPath: cwd.appendingPathComponent("0001_event_log.sql").path) { return cwd }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("schemas")
            if fm.fileExists(atPath: candidate.appendingPathComponent("0001_event_log.sql").path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw SchemasDirectoryError(code: .notFound, path: nil)
    }
}
