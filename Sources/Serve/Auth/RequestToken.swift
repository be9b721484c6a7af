/// The bearer token of the request being answered, for handlers that record who acted
/// (user events name the token's `name`, never the token). Bound by ``BearerAuthMiddleware``
/// for the request's task only.
enum RequestToken {
    @TaskLocal static var current: String?
}
