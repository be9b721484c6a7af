#if canImport(Glibc)
import CMalloc
import Glibc
#endif

/// glibc gives every thread that allocates concurrently its own malloc arena (up to eight
/// per core) and keeps freed memory in each: with projections folding on several connection
/// threads, that alone added ~60 MB of resident memory to a rebuild. Two arenas keep
/// concurrent allocation cheap without the bloat. (`MALLOC_ARENA_MAX` in the environment wins.)
enum MallocArenas {
    static func limit(_ arenas: Int32 = 2) {
        #if canImport(Glibc)
        if getenv("MALLOC_ARENA_MAX") == nil { _ = mallopt(M_ARENA_MAX, arenas) }
        #endif
    }
}
