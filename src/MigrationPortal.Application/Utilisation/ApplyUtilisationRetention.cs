using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Keeps utilisation history bounded: 5-minute samples older than <see cref="UtilisationOptions.RawRetention"/> (7 days)
/// become hourly averages, and hourly samples older than <see cref="UtilisationOptions.HourlyRetention"/> (30 days) are
/// deleted. Only whole hours are folded (the cut-off is rounded down to the hour), so an hour is never averaged from part
/// of its samples. Running it twice, or on two nodes at once, gives the same rows (see <see cref="IUtilisationStore"/>).
/// </summary>
public sealed class ApplyUtilisationRetention(IUtilisationStore store, IOptions<UtilisationOptions> options, TimeProvider time)
{
    public Task<UtilisationRetention> HandleAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var rawBefore = UtilisationSample.SlotOf(now - options.Value.RawRetention, UtilisationSample.HourlySeconds);
        var hourlyBefore = UtilisationSample.SlotOf(now - options.Value.HourlyRetention, UtilisationSample.HourlySeconds);
        return store.ApplyRetentionAsync(rawBefore, hourlyBefore, ct);
    }
}
