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
/// <param name="CanRollBack">The watch found a regression, no roll back was asked for yet, and the caller may ask (the requester or an Operator).</param>
public sealed record PostMoveWatchView(WatchState State, string StateText, int PeriodMinutes, DateTimeOffset BeforeFrom, DateTimeOffset MoveStartedAt,
    DateTimeOffset StartedAt, DateTimeOffset EndsAt, DateTimeOffset? EvaluatedAt, string? Summary, IReadOnlyList<WatchFigure> Figures, Guid? RollbackRequestId, bool CanRollBack)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<PostMoveWatchView?> ForAsync(IPortalDb db, PortalUser user, MigrationRequest request, CancellationToken ct)
    {
        var w = await db.PostMoveWatches.AsNoTracking().FirstOrDefaultAsync(x => x.RequestId == request.Id, ct);
        return w is null ? null : From(w, user.IsInAny(Roles.Operator, Roles.Administrator) || user.Id == request.RequesterId);
    }

    public static PostMoveWatchView From(PostMoveWatch w, bool mayRollBack)
    {
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
            w.Summary, figures, w.RollbackRequestId, mayRollBack && w.State == WatchState.Regressed && w.RollbackRequestId is null);
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
