using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Notifications;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Tests.Execution;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Utilisation;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Utilisation;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Utilisation;

/// <summary>
/// The watch after a move (issue 15 §4) on a real database: a verified move starts a watch row; when its period ends the
/// dispatcher's evaluation compares the VM's samples after the move with the equal period before it. Samples are written
/// as the collector would store them (the collector is not what is tested here); the clock is real time that the test
/// moves forward past the watch's end.
/// </summary>
public abstract class PostMoveWatchTests(DatabaseProvider provider) : ScriptedRunTestBase(provider)
{
    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["PostMoveWatch:Period"] = "00:30:00", ["PostMoveWatch:MinimumSamples"] = "3",
    };

    /// <summary>An auto-approved compute move of one of Rita's VMs, run to the end: its watch has started.</summary>
    private async Task<(Guid Request, PostMoveWatch Watch)> MoveAsync()
    {
        var (request, _) = await SubmitAndDispatchAsync(takeSnapshot: false);
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(request));
        Assert.Equal(RequestState.Succeeded, (await LoadAsync(request)).State);
        var watch = await Portal.Db(db => db.PostMoveWatches.AsNoTracking().SingleAsync(w => w.RequestId == request));
        Assert.Equal((WatchState.Watching, TimeSpan.FromMinutes(30)), (watch.State, watch.Period));
        return (request, watch);
    }

    /// <summary>One 5-minute sample per slot lying wholly within [from, to).</summary>
    private Task SeedAsync(Guid vmId, DateTimeOffset from, DateTimeOffset to, float cpuMhz, int memoryMb, float? readyPercent = null, int? limit = null) => Portal.Scoped<PortalDbContext>(async db =>
    {
        var slot = (from.ToUnixTimeSeconds() + UtilisationSample.RawSeconds - 1) / UtilisationSample.RawSeconds * UtilisationSample.RawSeconds;
        var added = 0;
        for (; slot + UtilisationSample.RawSeconds <= to.ToUnixTimeSeconds() && (limit is null || added < limit); slot += UtilisationSample.RawSeconds, added++)
            db.UtilisationSamples.Add(new UtilisationSample
            {
                SubjectId = vmId, ResolutionSeconds = UtilisationSample.RawSeconds, SlotStart = slot, CpuUsedMhz = cpuMhz, MemoryUsedMb = memoryMb, CpuReadyPercent = readyPercent,
            });
        await db.SaveChangesAsync();
    });

    private Task SeedBeforeAsync(PostMoveWatch w, float cpu, int memory, float? ready = null) => SeedAsync(w.VmId, w.BeforeFrom, w.MoveStartedAt, cpu, memory, ready);

    private Task SeedAfterAsync(PostMoveWatch w, float cpu, int memory, float? ready = null, int? limit = null) => SeedAsync(w.VmId, w.StartedAt, w.EndsAt + TimeSpan.FromMinutes(5), cpu, memory, ready, limit);

    private Task<int> EvaluateAsync() => Portal.Scoped<EvaluatePostMoveWatches, int>(u => u.HandleAsync());

    private Task<PostMoveWatch> WatchAsync(Guid request) => Portal.Db(db => db.PostMoveWatches.AsNoTracking().SingleAsync(w => w.RequestId == request));

    private Task<List<string>> AuditActionsAsync(Guid request) =>
        Portal.Db(db => db.AuditEvents.AsNoTracking().Where(e => e.RequestId == request && e.Action.StartsWith("request.watch")).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync());

    private Task<RequestDetails> DetailsAsync(Guid request, MigrationPortal.Application.Authorization.PortalUser who) =>
        Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(who, request));

    [Fact]
    public async Task Evaluate_Passes_WhenTheMeasuresAfterTheMoveStayWithinTheThresholds()
    {
        var (request, watch) = await MoveAsync();
        await SeedBeforeAsync(watch, 1_000, 2_000, 1);
        await SeedAfterAsync(watch, 1_100, 2_100, 2);

        Assert.Equal(0, await EvaluateAsync()); // not due yet
        Portal.Time.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal(1, await EvaluateAsync());

        var ended = await WatchAsync(request);
        Assert.Equal(WatchState.Passed, ended.State);
        var view = (await DetailsAsync(request, Requester)).Watch!;
        var cpu = view.Figures.Single(f => f.Measure == PostMoveComparison.CpuUsed);
        Assert.Equal((1_000d, 1_100d, false), (cpu.Before, cpu.After, cpu.Regressed));
        Assert.False(view.CanRollBack);
        Assert.Null(view.RollbackState);
        Assert.NotEmpty(view.Before);
        Assert.NotEmpty(view.After);
        Assert.Equal([AuditActions.RequestWatchStarted, AuditActions.RequestWatchEnded], await AuditActionsAsync(request));
        Assert.DoesNotContain((await Portal.Scoped<GetBellNotifications, BellView>(u => u.HandleAsync(Requester))).Items, i => i.Kind == BellKind.Regressed);
    }

    [Fact]
    public async Task Evaluate_WarnsNotifiesAndOffersARollBack_WhenCpuAndReadyRiseClearly()
    {
        var (request, watch) = await MoveAsync();
        var moved = await LoadAsync(request);
        await SeedBeforeAsync(watch, 1_000, 2_000, 1);
        await SeedAfterAsync(watch, 3_000, 2_000, 9);
        Portal.Time.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal(1, await EvaluateAsync());

        var view = (await DetailsAsync(request, Requester)).Watch!;
        Assert.Equal(WatchState.Regressed, view.State);
        Assert.Contains("CPU used 1,000 → 3,000 MHz", view.Summary);
        Assert.Contains("CPU ready / steal 1.0 → 9.0 %", view.Summary);
        Assert.Equal([PostMoveComparison.CpuUsed, PostMoveComparison.CpuReady], view.Figures.Where(f => f.Regressed).Select(f => f.Measure));
        Assert.True(view.CanRollBack);
        Assert.False((await DetailsAsync(request, Approver1)).Watch!.CanRollBack);

        // The mailer's reading of the trail: a Regressed notice (to the requester and the Operators) carrying the figures.
        var regressed = await Portal.Db(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.RequestId == request && e.Action == AuditActions.RequestWatchRegressed));
        var (kind, reason) = SendNotifications.Classify(regressed);
        Assert.Equal(NotificationKind.Regressed, kind);
        Assert.Contains("1,000 → 3,000", reason);
        Assert.Contains("Performance regressed after the move: " + moved.VmName, NotificationMessages.Compose(NotificationKind.Regressed, moved, "Rita", reason, "https://p").Subject);
        foreach (var who in new[] { Requester, PortalHarness.Operator })
            Assert.Contains((await Portal.Scoped<GetBellNotifications, BellView>(u => u.HandleAsync(who))).Items, i => i.Kind == BellKind.Regressed && i.RequestId == request);
        Assert.DoesNotContain((await Portal.Scoped<GetBellNotifications, BellView>(u => u.HandleAsync(OtherRequester))).Items, i => i.Kind == BellKind.Regressed);

        // Only the requester or an Operator rolls back; the new request moves the VM to the host it came from.
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<MoveBackAfterRegression, RequestSummary>(u => u.HandleAsync(Approver1, request)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<MoveBackAfterRegression, RequestSummary>(u => u.HandleAsync(OtherRequester, request)));
        var back = await Portal.Scoped<MoveBackAfterRegression, RequestSummary>(u => u.HandleAsync(Requester, request));
        var backRequest = await LoadAsync(back.Id);
        Assert.Equal((moved.VmId, moved.SourceHostName, MigrationKind.Compute), (backRequest.VmId, backRequest.Target.HostName, backRequest.Kind));
        Assert.Contains($"Roll back of request {request}", backRequest.Justification);
        // Through the approval policy like any request (here the test's auto-approve rule).
        Assert.Equal(RequestState.Approved, backRequest.State);
        Assert.Equal(back.Id, (await WatchAsync(request)).RollbackRequestId);
        // The moved request's page follows its roll back: asked for (here approved at once), then done once it ran.
        Assert.Equal((back.Id, RequestState.Approved), ((await DetailsAsync(request, Requester)).Watch!.RollbackRequestId, (await DetailsAsync(request, Requester)).Watch!.RollbackState));
        await Portal.Scoped<DispatchDueRequests>(d => d.HandleAsync());
        await Portal.Scoped<RunMigration>(r => r.HandleAsync(back.Id));
        Assert.Equal(RequestState.Succeeded, (await LoadAsync(back.Id)).State);
        Assert.Equal(RequestState.Succeeded, (await DetailsAsync(request, Requester)).Watch!.RollbackState);
        var again = await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<MoveBackAfterRegression, RequestSummary>(u => u.HandleAsync(PortalHarness.Operator, request)));
        Assert.Contains(back.Id.ToString(), again.Message);
    }

    [Fact]
    public async Task MoveBack_IsRefusedWithAClearError_WhenTheSourceHostNoLongerExists()
    {
        var (request, watch) = await MoveAsync();
        var moved = await LoadAsync(request);
        await SeedBeforeAsync(watch, 1_000, 2_000);
        await SeedAfterAsync(watch, 1_000, 4_000);
        Portal.Time.Advance(TimeSpan.FromMinutes(31));
        await EvaluateAsync();
        Assert.Equal(WatchState.Regressed, (await WatchAsync(request)).State);
        await Portal.Db(db => db.Hosts.Where(h => h.Name == moved.SourceHostName).ExecuteDeleteAsync());

        var refused = await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<MoveBackAfterRegression, RequestSummary>(u => u.HandleAsync(PortalHarness.Operator, request)));

        Assert.Contains($"source host {moved.SourceHostName} no longer exists", refused.Message);
        Assert.Null((await WatchAsync(request)).RollbackRequestId);
    }

    [Fact]
    public async Task Evaluate_EndsSayingSo_NotAsAPass_WhenTooFewSamplesFollowTheMove()
    {
        var (request, watch) = await MoveAsync();
        await SeedBeforeAsync(watch, 1_000, 2_000);
        await SeedAfterAsync(watch, 1_000, 2_000, limit: 2);
        Portal.Time.Advance(TimeSpan.FromMinutes(31));

        Assert.Equal(1, await EvaluateAsync());

        var view = (await DetailsAsync(request, Requester)).Watch!;
        Assert.Equal(WatchState.InsufficientData, view.State);
        Assert.Contains("Not enough data", view.Summary);
        Assert.Contains("2 after", view.Summary);
        Assert.Contains("not a pass", view.StateText);
        Assert.False(view.CanRollBack);
        await Assert.ThrowsAsync<ConflictException>(() => Portal.Scoped<MoveBackAfterRegression, RequestSummary>(u => u.HandleAsync(Requester, request)));
    }

    [Fact]
    public async Task Evaluate_GivesOneResult_WhenRunTwiceAndOnTwoScopesAtOnce()
    {
        var (request, watch) = await MoveAsync();
        await SeedBeforeAsync(watch, 1_000, 2_000);
        await SeedAfterAsync(watch, 5_000, 2_000);
        Portal.Time.Advance(TimeSpan.FromMinutes(31));

        var both = await Task.WhenAll(
            Portal.Scoped<EvaluatePostMoveWatches, PostMoveWatch?>(u => u.EvaluateAsync(request)),
            Portal.Scoped<EvaluatePostMoveWatches, PostMoveWatch?>(u => u.EvaluateAsync(request)));
        var third = await EvaluateAsync();

        Assert.Equal(1, both.Count(w => w is not null) + third);
        Assert.Equal(WatchState.Regressed, (await WatchAsync(request)).State);
        Assert.Equal([AuditActions.RequestWatchStarted, AuditActions.RequestWatchRegressed], await AuditActionsAsync(request));
    }

    [Fact]
    public async Task Evaluate_FindsTheWatchDue_AfterThePortalRestarts()
    {
        var (request, watch) = await MoveAsync();
        await SeedBeforeAsync(watch, 1_000, 2_000);
        await SeedAfterAsync(watch, 1_000, 2_000);

        // The node that ran the move dies; a new one starts later on the same database, with nothing in memory.
        var time = Portal.Time;
        await Portal.DisposeAsync();
        time.Advance(TimeSpan.FromMinutes(45));
        Portal = await PortalHarness.StartAsync(Provider, ConnectionString, DemoDuration, time, settings: Settings, configure: ConfigureServices);

        Assert.Equal(1, await EvaluateAsync());
        Assert.Equal(WatchState.Passed, (await WatchAsync(request)).State);
    }

    [Fact]
    public async Task StartWatch_AddsNothing_WhenTheRunIsRepeated()
    {
        var (request, watch) = await MoveAsync();
        var again = await Portal.Scoped<StartPostMoveWatch, PostMoveWatch?>(u => u.HandleAsync(request));

        Assert.Equal((watch.RequestId, watch.EndsAt), (again!.RequestId, again.EndsAt));
        Assert.Equal(1, await Portal.Db(db => db.PostMoveWatches.CountAsync()));
    }
}

public sealed class SqlitePostMoveWatchTests() : PostMoveWatchTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlPostMoveWatchTests() : PostMoveWatchTests(DatabaseProvider.PostgreSql);
