using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Reads one connection's host and VM load through its kind's collector and stores it in the current 5-minute slot. The
/// recurring job calls it per connection; a second node (or a retry) writing the same slot adds nothing, because the
/// sample key is the database's constraint and the insert ignores a taken slot. A connector fault is recorded on the
/// connection (<c>LastUtilisationError</c>), not thrown: the next run tries again. A connection whose history is empty
/// and whose collector can read the past (<see cref="IUtilisationHistory"/>, the demo) is first filled for the raw retention
/// (<see cref="BackfillUtilisation"/>; the demo's start-up seeding normally did that already).
/// </summary>
public sealed class CollectUtilisation(IPortalDb db, IUtilisationCollectors collectors, IUtilisationStore store, MigrationPlanner planner,
    BackfillUtilisation backfill)
{
    /// <param name="Skipped">Why nothing was read (no collector for the kind), or null.</param>
    /// <param name="Error">The connector's fault, as recorded on the connection, or null.</param>
    public sealed record Result(int Hosts, int Vms, int Added, int Unknown, int Backfilled, string? Skipped, string? Error);

    public async Task<Result> HandleAsync(Guid connectionId, CancellationToken ct = default)
    {
        var connection = await db.Connections.FirstOrDefaultAsync(c => c.Id == connectionId, ct) ?? throw new NotFoundException("Connection", connectionId);
        var collector = collectors.Find(connection.Kind);
        if (collector is null)
            return new Result(0, 0, 0, 0, 0, $"Connections of kind '{connection.Kind}' have no utilisation collector; {connection.Name} is not collected.", null);

        var info = planner.ToInfo(connection);
        var subjects = await UtilisationSamples.ForConnectionAsync(db, connectionId, ct);
        UtilisationReading reading;
        var backfilled = 0;
        try
        {
            if (collector is IUtilisationHistory history) backfilled = await backfill.FillAsync(history, info, subjects, ct);
            reading = await collector.ReadUtilisationAsync(info, ct);
        }
        catch (ConnectorException e)
        {
            connection.LastUtilisationError = Truncate($"{e.FaultType}: {e.Message}");
            await db.SaveChangesAsync(ct);
            return new Result(0, 0, 0, 0, backfilled, null, connection.LastUtilisationError);
        }

        var (samples, unknown) = subjects.From(reading);
        var added = await store.AddNewAsync(samples, ct);
        connection.LastUtilisationAt = reading.At;
        connection.LastUtilisationError = null;
        await db.SaveChangesAsync(ct);
        return new Result(reading.Hosts.Count, reading.Vms.Count, added, unknown, backfilled, null, null);
    }

    private static string Truncate(string text) => text.Length <= 1024 ? text : text[..1024];
}
