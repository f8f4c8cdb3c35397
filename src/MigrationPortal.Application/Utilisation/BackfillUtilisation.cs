using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Fills an empty utilisation history of a connection whose collector can read the past (<see cref="IUtilisationHistory"/>:
/// the demo's load curves), once: a reading every 5 minutes over the raw retention (7 days) up to the current slot, stored
/// through the same insert-or-ignore as collection, then the retention pass, so what is stored is exactly what the hourly
/// retention job would keep. Two callers use it: the demo's start-up seeding (so the Optimize page and the VM and host charts
/// have a week of load before anyone looks, not only after the first 5-minute collection) and <see cref="CollectUtilisation"/>
/// (a demo database that was seeded before this existed). A system action: it takes no user and reveals nothing.
/// </summary>
/// <remarks>
/// "Empty" is a fast check on a few subjects, not the guard: two nodes backfilling at once insert the same keys, and the second
/// adds nothing. Only the raw window is filled, not the 30 days of hourly samples the retention keeps after it: the demo cannot
/// compute an hour's average without its twelve readings, and writing four times the rows would quadruple the start-up cost.
/// </remarks>
public sealed class BackfillUtilisation(IPortalDb db, IUtilisationCollectors collectors, IUtilisationStore store, MigrationPlanner planner,
    ApplyUtilisationRetention retention, IOptions<UtilisationOptions> options, TimeProvider time)
{
    /// <summary>How many samples were added: 0 when the connection's history was not empty or its collector cannot read the past.</summary>
    public async Task<int> HandleAsync(Guid connectionId, CancellationToken ct = default)
    {
        var connection = await db.Connections.AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, ct) ?? throw new NotFoundException("Connection", connectionId);
        if (collectors.Find(connection.Kind) is not IUtilisationHistory history) return 0;
        var subjects = await UtilisationSamples.ForConnectionAsync(db, connectionId, ct);
        return await FillAsync(history, planner.ToInfo(connection), subjects, ct);
    }

    /// <summary>The backfill for a caller that already holds the connection's collector and inventory rows.</summary>
    internal async Task<int> FillAsync(IUtilisationHistory history, ConnectionInfo connection, UtilisationSamples subjects, CancellationToken ct)
    {
        var ids = subjects.SubjectIds.ToList();
        if (ids.Count == 0) return 0;
        // A few subjects stand for the connection: a history that was ever collected has samples of its first ones.
        foreach (var id in ids.Take(3))
            if (await db.UtilisationSamples.AnyAsync(s => s.SubjectId == id, ct)) return 0;
        var to = DateTimeOffset.FromUnixTimeSeconds(UtilisationSample.SlotOf(time.GetUtcNow(), UtilisationSample.RawSeconds));
        var readings = await history.ReadHistoryAsync(connection, to - options.Value.RawRetention, to, TimeSpan.FromSeconds(UtilisationSample.RawSeconds), ct);
        var samples = readings.SelectMany(r => subjects.From(r).Samples).ToList();
        var added = await store.AddNewAsync(samples, ct);
        await retention.HandleAsync(ct);
        return added;
    }
}
