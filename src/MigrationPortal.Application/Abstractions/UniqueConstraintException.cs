using Microsoft.EntityFrameworkCore;

namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// A save broke a unique index: another unit of work (often on another node) wrote the same row first. The unit of work
/// raises this instead of the provider's own error, so use cases can answer 409 without knowing the database.
/// </summary>
public sealed class UniqueConstraintException(DbUpdateException inner)
    : DbUpdateException(inner.Message, inner.InnerException, inner.Entries);
