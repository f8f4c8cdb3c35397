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
/// <param name="Comparison">How before and after were measured, when it is not simply the same VM on the same platform (a
/// conversion: the source VM on vSphere before, the domain it became on KVM after, memory shown but not judged).</param>
/// <param name="NoRollBack">Why no one-click roll back is offered for this request (a conversion), with what to do instead;
/// null where the roll back is a move back.</param>
public sealed record PostMoveWatchView(WatchState State, string StateText, int PeriodMinutes, DateTimeOffset BeforeFrom, DateTimeOffset MoveStartedAt,
    DateTimeOffset StartedAt, DateTimeOffset EndsAt, DateTimeOffset? EvaluatedAt, string? Summary, IReadOnlyList<WatchFigure> Figures, Guid? RollbackRequestId, bool CanRollBack,
    IReadOnlyList<WatchPoint> Before, IReadOnlyList<WatchPoint> After, RequestState? RollbackState = null, string? Comparison = null, string? NoRollBack = null)
{
    /// <summary>What the page and the API say about a regressed conversion instead of offering the roll back.</summary>
    public const string ConversionRollBack = "A conversion is not rolled back by a request: the source VM is still on vSphere, powered off, as the "
        + "conversion left it. To go back, shut the converted domain down and power the source VM on again in vCenter.";

    public const string ConversionComparison = "Before: the source VM on vSphere. After: the domain it became on KVM. CPU used and CPU ready "
        + "(vSphere) / steal (KVM) mean the same on both and are judged; memory is shown but not judged, as the two report different things.";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<PostMoveWatchView?> ForAsync(IPortalDb db, PortalUser user, MigrationRequest request, CancellationToken ct)
    {
        var w = await db.PostMoveWatches.AsNoTracking().FirstOrDefaultAsync(x => x.RequestId == request.Id, ct);
        if (w is null) return null;
        // Before from the VM that moved; after from the VM it is now (another row after a conversion: WatchSubjects).
        var before = await SamplesAsync(db, w.VmId, w.BeforeFrom, w.MoveStartedAt, ct);
        var after = await WatchSubjects.AfterVmIdAsync(db, request, ct) is { } afterVmId ? await SamplesAsync(db, afterVmId, w.StartedAt, w.EndsAt, ct) : [];
        RequestState? rollbackState = w.RollbackRequestId is { } rollbackId
            ? await db.Requests.AsNoTracking().Where(r => r.Id == rollbackId).Select(r => (RequestState?)r.State).FirstOrDefaultAsync(ct)
            : null;
        var conversion = WatchSubjects.CrossesPlatforms(request);
        return From(w, !conversion && (user.IsInAny(Roles.Operator, Roles.Administrator) || user.Id == request.RequesterId), before, after, rollbackState,
            conversion ? ConversionComparison : null, conversion ? ConversionRollBack : null);
    }

    private static Task<List<UtilisationSample>> SamplesAsync(IPortalDb db, Guid vmId, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var from = start.ToUnixTimeSeconds();
        var to = end.ToUnixTimeSeconds();
        return db.UtilisationSamples.AsNoTracking()
            .Where(s => s.SubjectId == vmId && s.ResolutionSeconds == UtilisationSample.RawSeconds && s.SlotStart >= from && s.SlotStart < to)
            .OrderBy(s => s.SlotStart).ToListAsync(ct);
    }

    public static PostMoveWatchView From(PostMoveWatch w, bool mayRollBack, IReadOnlyList<UtilisationSample> before, IReadOnlyList<UtilisationSample> after,
        RequestState? rollbackState = null, string? comparison = null, string? noRollBack = null)
    {
        static List<WatchPoint> Points(IReadOnlyList<UtilisationSample> samples, DateTimeOffset start, DateTimeOffset end) => samples
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
            Points(before, w.BeforeFrom, w.MoveStartedAt), Points(after, w.StartedAt, w.EndsAt), w.RollbackRequestId is null ? null : rollbackState,
            comparison, w.State == WatchState.Regressed ? noRollBack : null);
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
