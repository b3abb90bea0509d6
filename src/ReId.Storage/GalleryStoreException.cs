namespace ReId.Storage;

/// <summary>
/// The gallery store cannot do what was asked because of what it was given: an unreachable server, a table of another
/// embedding size or metric, a path already stored. The message names the server or table and what was expected.
/// </summary>
public sealed class GalleryStoreException(string message, Exception? inner = null) : Exception(message, inner);
