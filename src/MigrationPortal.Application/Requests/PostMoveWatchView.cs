using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;

namespace MigrationPortal.Application.Requests;

/// <summary>
/// The post-move watch of a request as its page and the API show it: the state, in words too, the two periods compared,
/// the figures before and after per measure once evaluated, and whether the caller may ask for the roll back now.
/// </summary>
/// <param name="BeforeFrom">The "before" period runs from here to <paramref name="MoveStartedAt"/>.</param>
/// <param name="StartedAt">When the move verified; the "after" period runs from here to <paramref name="EndsAt"/>.</param>
/// <param name="Before">CPU and memory per 5-minute slot of the "before" period, by minutes from its start: the chart's first series.</param>
/// <param name="After">The same for the "after" period, by minutes from verify; filled as the watch goes on.</param>
/// <param name="CanRollBack">The watch found a regression, no roll back was asked for yet, and the caller may ask (the requester or an Operator).</param>
/// <param name="RollbackState">The state of the roll-back request (<paramref name="RollbackRequestId"/>) now, so the moved request's page says
/// whether the VM is back, not only that someone asked; null while no roll back was asked for.</param>
public sealed record PostMoveWatchView(WatchState State, string StateText, int PeriodMinutes, DateTimeOffset BeforeFrom, DateTimeOffset MoveStartedAt,
    DateTimeOffset StartedAt, DateTimeOffset EndsAt, DateTimeOffset? EvaluatedAt, string? Summary, IReadOnlyList<WatchFigure> Figures, Guid? RollbackRequestId, bool CanRollBack,
    IReadOnlyList<WatchPoint> Before, IReadOnlyList<WatchPoint> After, RequestState? RollbackState = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<PostMoveWatchView?> ForAsync(IPortalDb db, PortalUser user, MigrationRequest request, CancellationToken ct)
    {
        var w = await db.PostMoveWatches.AsNoTracking().FirstOrDefaultAsync(x => x.RequestId == request.Id, ct);
        if (w is null) return null;
        var from = w.BeforeFrom.ToUnixTimeSeconds();
        var to = w.EndsAt.ToUnixTimeSeconds();
        var samples = await db.UtilisationSamples.AsNoTracking()
            .Where(s => s.SubjectId == w.VmId && s.ResolutionSeconds == UtilisationSample.RawSeconds && s.SlotStart >= from && s.SlotStart < to)
            .OrderBy(s => s.SlotStart).ToListAsync(ct);
        RequestState? rollbackState = w.RollbackRequestId is { } rollbackId
            ? await db.Requests.AsNoTracking().Where(r => r.Id == rollbackId).Select(r => (RequestState?)r.State).FirstOrDefaultAsync(ct)
            : null;
        return From(w, user.IsInAny(Roles.Operator, Roles.Administrator) || user.Id == request.RequesterId, samples, rollbackState);
    }

    public static PostMoveWatchView From(PostMoveWatch w, bool mayRollBack, IReadOnlyList<UtilisationSample> samples, RequestState? rollbackState = null)
    {
        List<WatchPoint> Points(DateTimeOffset start, DateTimeOffset end) => samples
            .Where(s => s.Start >= start && s.Start < end)
            .Select(s => new WatchPoint((int)(s.Start - start).TotalMinutes, Math.Round(s.CpuUsedMhz, 1), s.MemoryUsedMb)).ToList();
        IReadOnlyList<WatchFigure> figures;
        try
        {
            figures = JsonSerializer.Deserialize<List<WatchFigure>>(w.Figures, Json) ?? [];
        }
        catch (JsonException)
        {
            // A page must show the request even if a later release stores the figures in another shape.
            figures = [];
        }

        return new PostMoveWatchView(w.State, Describe(w), (int)Math.Round(w.Period.TotalMinutes), w.BeforeFrom, w.MoveStartedAt, w.StartedAt, w.EndsAt, w.EvaluatedAt,
            w.Summary, figures, w.RollbackRequestId, mayRollBack && w.State == WatchState.Regressed && w.RollbackRequestId is null,
            Points(w.BeforeFrom, w.MoveStartedAt), Points(w.StartedAt, w.EndsAt), w.RollbackRequestId is null ? null : rollbackState);
    }

    /// <summary>The state in words, as the page says it.</summary>
    public static string Describe(PostMoveWatch w) => w.State switch
    {
        WatchState.Watching => $"Watching the VM's performance until {w.EndsAt:yyyy-MM-dd HH:mm} UTC, to compare with the {w.Period.TotalMinutes:0} minutes before the move.",
        WatchState.Passed => "Watched after the move: no regression.",
        WatchState.Regressed => "Watched after the move: performance regressed.",
        WatchState.InsufficientData => "Watched after the move: not enough data to judge (this is not a pass).",
        _ => w.State.ToString(),
    };
}

/// <summary>One 5-minute sample in a watch's chart: minutes from the start of its period, CPU used and memory used.</summary>
public sealed record WatchPoint(int Minute, double CpuUsedMhz, int MemoryUsedMb);
