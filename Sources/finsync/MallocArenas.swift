#if canImport(Glibc)
import CMalloc
import Glibc
#endif
import ArgumentParser

/// glibc gives every thread that allocates concurrently its own malloc arena (up to eight
/// per core) and keeps freed memory in each: with projections folding on several connection
/// threads, that alone added ~60 MB of resident memory to a rebuild. Two arenas keep
/// concurrent allocation cheap enough for the batch commands without the bloat.
///
/// `finsync serve` keeps glibc's default instead: its request threads (event loops, the task
/// pool, the database queues) all allocate at once, and with two arenas they queue on the
/// arena locks — a page of transactions cost 2.0–2.2 ms of CPU instead of 1.8–1.9 ms and
/// its p99 latency rose from 37–40 ms to 52–62 ms (`finsync bench api`, 16 connections).
/// (`MALLOC_ARENA_MAX` in the environment always wins.)
enum MallocArenas {
    static func configure(for command: any ParsableCommand) {
        if command is ServeCommand { return }
        limit()
    }

    static func limit(_ arenas: Int32 = 2) {
        #if canImport(Glibc)
        if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(M_ARENA_MAX, arenas) }
        #endif
    }
}
