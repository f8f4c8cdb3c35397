using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Abstractions;

/// <summary>
/// Writes utilisation samples with the statements EF Core has no words for: insert-or-ignore on the sample key, and the
/// set-based fold of old samples into hourly ones. Both are safe when several nodes run them at the same moment.
/// </summary>
public interface IUtilisationStore
{
    /// <summary>
    /// Inserts the samples whose (subject, resolution, slot) is not stored yet and ignores the others, in one statement per
    /// row or per chunk (the database's unique key decides, not a prior read). Returns how many rows were new.
    /// </summary>
    Task<int> AddNewAsync(IReadOnlyCollection<UtilisationSample> samples, CancellationToken ct);

    /// <summary>
    /// In one transaction: averages the raw samples whose slot starts before <paramref name="rawBefore"/> (Unix seconds, an
    /// hour boundary) into hourly samples (an hour already folded is left as it is), deletes those raw samples, and deletes
    /// the hourly samples that start before <paramref name="hourlyBefore"/>.
    /// </summary>
    Task<UtilisationRetention> ApplyRetentionAsync(long rawBefore, long hourlyBefore, CancellationToken ct);
}

/// <summary>What one retention pass did.</summary>
public sealed record UtilisationRetention(int HourlyAdded, int RawDeleted, int HourlyDeleted);
