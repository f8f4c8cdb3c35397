using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Audit;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Utilisation;

/// <summary>
/// Run on every dispatcher tick, on every node: each watch whose period has ended is compared
/// (<see cref="PostMoveComparison"/>) and concluded, with its audit record, in one save. The watch's state is a concurrency
/// token, so when two nodes evaluate the same watch at once the second save is refused and discarded: one verdict, one
/// notification. Nothing is kept in memory between ticks, so a node that died during the watch leaves nothing undone:
/// the next tick on any node finds the watch due.
/// <para>
/// A regression is written as the audit action <see cref="AuditActions.RequestWatchRegressed"/>, which the mailer
/// (<see cref="Notifications.SendNotifications"/>) turns into mail to the requester and the Operators, and the bell shows.
/// </para>
/// </summary>
public sealed class EvaluatePostMoveWatches(IPortalDb db, IOptions<PostMoveWatchOptions> options, TimeProvider time, ILogger<EvaluatePostMoveWatches> log)
{
    public const int BatchSize = 50;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <returns>How many watches this call concluded (a watch another node concluded first is not counted).</returns>
    public async Task<int> HandleAsync(CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var due = await db.PostMoveWatches.AsNoTracking().Where(w => w.State == WatchState.Watching && w.EndsAt <= now)
            .OrderBy(w => w.EndsAt).Select(w => w.RequestId).Take(BatchSize).ToListAsync(ct);
        var concluded = 0;
        foreach (var id in due)
            if (await EvaluateAsync(id, ct) is not null) concluded++;
        return concluded;
    }

    /// <summary>Evaluates one watch if it is due; null when it is not due, already ended, or another node ended it first.</summary>
    public async Task<PostMoveWatch?> EvaluateAsync(Guid requestId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var watch = await db.PostMoveWatches.FirstOrDefaultAsync(w => w.RequestId == requestId, ct);
        if (watch is null || !watch.IsDue(now)) return null;

        // Before: slots wholly inside the period before the move. After: slots that began after verify (each slot keeps its
        // first reading, so a slot that began before verify may hold a reading from before the move).
        var request = await db.Requests.AsNoTracking().FirstAsync(r => r.Id == requestId, ct);
        // A conversion is measured on the source before and on the domain it became after (WatchSubjects).
        var afterVmId = await WatchSubjects.AfterVmIdAsync(db, request, ct);
        var before = await SamplesAsync(watch.VmId, watch.BeforeFrom.ToUnixTimeSeconds(), watch.MoveStartedAt.ToUnixTimeSeconds() - UtilisationSample.RawSeconds, ct);
        var after = afterVmId is { } afterId ? await SamplesAsync(afterId, watch.StartedAt.ToUnixTimeSeconds(), watch.EndsAt.ToUnixTimeSeconds() - 1, ct) : [];
        var verdict = PostMoveComparison.Compare(before, after, options.Value, judgeMemory: !WatchSubjects.CrossesPlatforms(request));
        if (afterVmId is null)
            verdict = verdict with { Summary = verdict.Summary + " The converted VM is not in the destination's inventory yet, so nothing after the conversion could be read." };
        watch.Conclude(verdict.State, verdict.Summary, JsonSerializer.Serialize(verdict.Figures, Json), now);
        AuditLog.ForRequest(db, now, Actor.System, verdict.State == WatchState.Regressed ? AuditActions.RequestWatchRegressed : AuditActions.RequestWatchEnded, request,
            new { result = verdict.State.ToString(), reason = verdict.Summary, figures = verdict.Figures });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.DiscardChanges();
            log.LogInformation("The watch of request {RequestId} was concluded by another node first.", requestId);
            return null;
        }
        catch (DbUpdateException)
        {
            // The audit chain's head moved under us (another node wrote first): the next tick tries again.
            db.DiscardChanges();
            log.LogInformation("The watch of request {RequestId} could not be saved this tick; the next one tries again.", requestId);
            return null;
        }

        return watch;
    }

    /// <summary>The VM's 5-minute samples whose slot starts in [<paramref name="firstSlot"/>, <paramref name="lastSlot"/>] (Unix seconds).</summary>
    private Task<List<UtilisationSample>> SamplesAsync(Guid vmId, long firstSlot, long lastSlot, CancellationToken ct) =>
        db.UtilisationSamples.AsNoTracking()
            .Where(s => s.SubjectId == vmId && s.ResolutionSeconds == UtilisationSample.RawSeconds && s.SlotStart >= firstSlot && s.SlotStart <= lastSlot)
            .OrderBy(s => s.SlotStart).ToListAsync(ct);
}
