using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Execution;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>
/// Windows, blackouts, estimates and the dispatcher on a real database, with time moved by a FakeTimeProvider.
/// The demo connector's VMs have 4 to 16 GiB of memory, so a compute move is estimated at about 1.7 to 3.7 minutes
/// (default 100 MB/s plus 1 minute) until history exists.
/// </summary>
public abstract class WindowDispatchTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    // FakeTimeProvider only moves forward: start early in 2026 and let each test move to its day.
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    protected override TimeProvider? Clock => _clock;

    private Task<int> DispatchAsync() => Portal.Scoped<DispatchDueRequests, int>(d => d.HandleAsync());

    /// <summary>Saturday 28 March 2026, 10:00Z: the day before Europe's spring-forward (America/New_York moved on 8 March).</summary>
    private static readonly DateTimeOffset SaturdayBeforeSpringForward = new(2026, 3, 28, 10, 0, 0, TimeSpan.Zero);

    private void MoveTo(DateTimeOffset at) => _clock.SetUtcNow(at);

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    [Fact]
    public async Task NextWindow_StartsAtTheWindowsStart_NotBefore()
    {
        MoveTo(SaturdayBeforeSpringForward);
        await Portal.AutoApproveEverythingAsync();
        await Portal.AddConnectionWindowAsync("nightly", RecurrenceKind.RRule, "FREQ=DAILY", "Europe/Berlin", new DateTime(2026, 3, 1, 22, 0, 0), 240);
        var (vm, target) = await Portal.RequesterVmAsync();

        var submitted = await Portal.SubmitAsync(vm, target, ScheduleMode.NextWindow);
        Assert.Equal(RequestState.Approved, submitted.State);
        Assert.Equal(Utc(3, 28, 21), submitted.PlannedStart); // 22:00 CET

        Assert.Equal(0, await DispatchAsync());
        MoveTo(Utc(3, 28, 20, 59).AddSeconds(45));
        Assert.Equal(0, await DispatchAsync());
        Assert.Empty(Portal.Jobs.Runs);
        var waiting = await Portal.RequestAsync(submitted.Id);
        Assert.Equal(RequestState.Approved, waiting.State);
        Assert.Contains("nightly", waiting.QueueReason);

        MoveTo(Utc(3, 28, 21));
        Assert.Equal(1, await DispatchAsync());
        var started = await Portal.RequestAsync(submitted.Id);
        Assert.Equal(RequestState.Scheduled, started.State);
        Assert.Equal(Utc(3, 28, 21), started.ScheduledFor);
        Assert.Contains(submitted.Id, Portal.Jobs.Runs);
    }

    /// <summary>The same 22:00 local window on the changeover days: the UTC start moves by the hour the clocks moved.</summary>
    [Theory]
    [InlineData("Europe/Berlin", "FREQ=DAILY", 3, 28, 21)]      // Saturday before spring-forward: 22:00 CET
    [InlineData("Europe/Berlin", "FREQ=DAILY", 3, 29, 20)]      // spring-forward day: 22:00 CEST
    [InlineData("Europe/Berlin", "FREQ=DAILY", 10, 25, 21)]     // fall-back day: 22:00 CET again
    [InlineData("America/New_York", "FREQ=DAILY", 3, 8, 2)]     // spring-forward day: 22:00 EDT = 02:00Z next day
    [InlineData("America/New_York", "FREQ=DAILY", 11, 1, 3)]    // fall-back day: 22:00 EST = 03:00Z next day
    public async Task NextWindow_FollowsTheLocalClock_OnDaylightSavingChangeovers(string zone, string rule, int month, int day, int expectedUtcHour)
    {
        await Portal.AutoApproveEverythingAsync();
        await Portal.AddConnectionWindowAsync("nightly", RecurrenceKind.RRule, rule, zone, new DateTime(2026, 1, 1, 22, 0, 0), 120);
        // Noon UTC on the changeover day: before the evening window in both zones.
        MoveTo(Utc(month, day, 12));
        var (vm, target) = await Portal.RequesterVmAsync();
        var submitted = await Portal.SubmitAsync(vm, target, ScheduleMode.NextWindow);

        var expected = Utc(month, day, 0).AddHours(expectedUtcHour < 12 ? 24 + expectedUtcHour : expectedUtcHour);
        Assert.Equal(expected, submitted.PlannedStart);
        MoveTo(expected.AddMinutes(-1));
        Assert.Equal(0, await DispatchAsync());
        MoveTo(expected);
        Assert.Equal(1, await DispatchAsync());
        Assert.Equal(expected, (await Portal.RequestAsync(submitted.Id)).ScheduledFor);
    }

    [Fact]
    public async Task Dispatcher_DefersToTheNextWindowAndAudits_WhenTheEstimateNoLongerFits()
    {
        MoveTo(SaturdayBeforeSpringForward);
        // Needs one approval, so the approval can arrive late in the window.
        await Portal.Scoped<MigrationPortal.Application.Admin.SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin,
            [new MigrationPortal.Application.Admin.SetApprovalRules.Rule("one approval", ApprovalOutcome.RequireApprovals, 1)]));
        var window = await Portal.AddConnectionWindowAsync("evening", RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin", new DateTime(2026, 3, 1, 22, 0, 0), 60);
        var (vm, target) = await Portal.RequesterVmAsync();
        var submitted = await Portal.SubmitAsync(vm, target, ScheduleMode.NextWindow);
        Assert.Equal(Utc(3, 28, 21), submitted.PlannedStart);

        // Approved at 22:59 local: one minute of the window remains, less than any demo estimate.
        MoveTo(Utc(3, 28, 21, 59));
        await Portal.Scoped<ApproveRequest>(u => u.HandleAsync(Approver1, new ApproveRequest.Command(submitted.Id, "ok")));
        Assert.Equal(0, await DispatchAsync());

        var deferred = await Portal.RequestAsync(submitted.Id);
        Assert.Equal(RequestState.Approved, deferred.State);
        Assert.Equal(Utc(3, 29, 20), deferred.PlannedStart); // next evening, 22:00 CEST
        Assert.Contains("does not fit in what remains of window 'evening'", deferred.QueueReason);
        var audits = await Portal.Db(db => db.AuditEvents.Where(e => e.RequestId == submitted.Id && e.Action == AuditActions.RequestDeferred).ToListAsync());
        var audit = Assert.Single(audits);
        Assert.Contains("does not fit", audit.Details);
        Assert.Contains("2026-03-29T20:00:00", audit.Details);

        // A second tick in the same state does not audit the same deferral again.
        MoveTo(Utc(3, 28, 21, 59).AddSeconds(15));
        await DispatchAsync();
        Assert.Equal(1, await Portal.Db(db => db.AuditEvents.CountAsync(e => e.RequestId == submitted.Id && e.Action == AuditActions.RequestDeferred)));

        MoveTo(Utc(3, 29, 20));
        Assert.Equal(1, await DispatchAsync());
        Assert.Equal(RequestState.Scheduled, (await Portal.RequestAsync(submitted.Id)).State);
        Assert.NotNull(window);
    }

    [Fact]
    public async Task Blackout_InsideAWindow_HoldsStartsUntilItEnds()
    {
        MoveTo(SaturdayBeforeSpringForward);
        await Portal.AutoApproveEverythingAsync();
        await Portal.AddConnectionWindowAsync("saturday", RecurrenceKind.OneOff, "", "UTC", new DateTime(2026, 3, 28, 12, 0, 0), 360);
        await Portal.Scoped<SaveBlackout, CalendarPeriodView>(u => u.HandleAsync(Operator, null,
            new CalendarPeriodInput("release freeze", RecurrenceKind.OneOff, null, "UTC", new DateTime(2026, 3, 28, 13, 0, 0), 60)));
        var (vm, target) = await Portal.RequesterVmAsync();
        MoveTo(Utc(3, 28, 12, 30));
        var submitted = await Portal.SubmitAsync(vm, target, ScheduleMode.NextWindow);
        // 12:30 plus a few minutes fits before the freeze at 13:00, so it is due now.
        Assert.Equal(Utc(3, 28, 12, 30), submitted.PlannedStart);

        Assert.Equal(1, await DispatchAsync());

        var (vm2, target2) = await Portal.RequesterVmAsync(1);
        MoveTo(Utc(3, 28, 13, 10));
        var frozen = await Portal.SubmitAsync(vm2, target2, ScheduleMode.NextWindow);
        Assert.Equal(Utc(3, 28, 14), frozen.PlannedStart);
        Assert.Equal(0, await DispatchAsync());
        var waiting = await Portal.RequestAsync(frozen.Id);
        Assert.Equal(RequestState.Approved, waiting.State);
        Assert.Contains("Blackout 'release freeze' is in force", waiting.QueueReason);

        MoveTo(Utc(3, 28, 14));
        Assert.Equal(1, await DispatchAsync());
        Assert.Equal(RequestState.Scheduled, (await Portal.RequestAsync(frozen.Id)).State);
    }

    [Fact]
    public async Task Submit_RefusesWishesTheWindowsDoNotAllow()
    {
        MoveTo(SaturdayBeforeSpringForward);
        await Portal.AutoApproveEverythingAsync();
        var window = await Portal.AddConnectionWindowAsync("sunday", RecurrenceKind.RRule, "FREQ=WEEKLY;BYDAY=SU", "Europe/Berlin", new DateTime(2026, 3, 1, 2, 0, 0), 120);
        var (vm, target) = await Portal.RequesterVmAsync();

        var asap = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved));
        Assert.Contains("moves only inside a window", Assert.Single(asap.Errors["ScheduleMode"]));

        var outside = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.SubmitAsync(vm, target, ScheduleMode.SpecificTime, Utc(3, 28, 18)));
        Assert.Contains("is not inside a window", Assert.Single(outside.Errors["NotBefore"]));

        var unknown = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.SubmitAsync(vm, target, ScheduleMode.ChosenWindow, windowId: Guid.NewGuid()));
        Assert.True(unknown.Errors.ContainsKey("WindowId"));

        // On 29 March Berlin's clocks jump from 02:00 to 03:00, so the window opens at 03:00 CEST (01:00Z) and lasts to 03:00Z.
        var inside = await Portal.SubmitAsync(vm, target, ScheduleMode.SpecificTime, Utc(3, 29, 1, 30));
        Assert.Equal(Utc(3, 29, 1, 30), inside.PlannedStart);
        await Portal.Scoped<CancelRequest>(u => u.HandleAsync(Requester, new CancelRequest.Command(inside.Id, "test")));

        var chosen = await Portal.SubmitAsync(vm, target, ScheduleMode.ChosenWindow, windowId: window.Id);
        Assert.Equal(window.NextOccurrences[0].Start, chosen.PlannedStart);
    }

    [Fact]
    public async Task Calendar_ShowsOccurrencesBlackoutsAndPlannedMigrations_AndTheFeedCarriesThemForItsOwner()
    {
        MoveTo(SaturdayBeforeSpringForward);
        await Portal.AutoApproveEverythingAsync();
        await Portal.AddConnectionWindowAsync("nightly", RecurrenceKind.RRule, "FREQ=DAILY", "Europe/Berlin", new DateTime(2026, 3, 1, 22, 0, 0), 240);
        await Portal.Scoped<SaveBlackout, CalendarPeriodView>(u => u.HandleAsync(Operator, null,
            new CalendarPeriodInput("easter freeze", RecurrenceKind.OneOff, null, "Europe/Berlin", new DateTime(2026, 4, 3, 0, 0, 0), 24 * 60)));
        var (vm, target) = await Portal.RequesterVmAsync();
        var submitted = await Portal.SubmitAsync(vm, target, ScheduleMode.NextWindow);

        var week = await Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(Requester, Utc(3, 28, 0), Utc(4, 4, 0)));
        var windows = week.Where(e => e.Kind == CalendarEntryKind.Window).Select(e => e.Start).ToList();
        // Friday's window is still open at midnight, so it is on the calendar too.
        Assert.Equal(8, windows.Count);
        Assert.Equal(Utc(3, 27, 21), windows[0]);
        Assert.Equal(Utc(3, 28, 21), windows[1]);
        Assert.Equal(Utc(3, 29, 20), windows[2]); // 22:00 CEST after spring-forward
        Assert.Single(week, e => e.Kind == CalendarEntryKind.Blackout && e.Start == Utc(4, 2, 22));
        var migration = Assert.Single(week, e => e.Kind == CalendarEntryKind.Migration);
        Assert.Equal((submitted.Id, Utc(3, 28, 21)), (migration.RequestId!.Value, migration.Start));

        // Otto owns another application: the window covers his VMs too, but Rita's migration is not his to see.
        var otto = await Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(OtherRequester, Utc(3, 28, 0), Utc(4, 4, 0)));
        Assert.DoesNotContain(otto, e => e.Kind == CalendarEntryKind.Migration);
        await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(Requester, Utc(4, 4, 0), Utc(3, 28, 0))));

        var link = await Portal.Scoped<CreateCalendarFeed, CreateCalendarFeed.Created>(u => u.HandleAsync(Requester));
        Assert.Equal(CreateCalendarFeed.Hash(link.Token), await Portal.Db(db => db.CalendarFeeds.Where(f => f.UserId == Requester.Id).Select(f => f.TokenHash).SingleAsync()));
        var ics = await Portal.Scoped<GetCalendarFeed, string>(u => u.HandleAsync(link.Token));
        var parsed = Ical.Net.Calendar.Load(ics)!;
        Assert.Contains(parsed.Events, e => e.Summary == $"Migration: {vm.Name}" && e.DtStart!.AsUtc == Utc(3, 28, 21).UtcDateTime);
        Assert.Contains(parsed.Events, e => e.Summary == "Window: nightly" && e.DtStart!.AsUtc == Utc(3, 29, 20).UtcDateTime);
        Assert.Contains(parsed.Events, e => e.Summary == "Blackout: easter freeze");
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<GetCalendarFeed, string>(u => u.HandleAsync(link.Token + "x")));

        // Once it ran, it stays on the calendar from its actual start to its actual end.
        MoveTo(Utc(3, 28, 21));
        Assert.Equal(1, await DispatchAsync());
        await Portal.Scoped<PortalDbContext>(db => SchedulingTestKit.RunToSucceededAsync(db, submitted.Id, _clock.GetUtcNow(), TimeSpan.FromSeconds(200)));
        var after = await Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(Requester, Utc(3, 28, 0), Utc(4, 4, 0)));
        var ran = Assert.Single(after, e => e.Kind == CalendarEntryKind.Migration);
        Assert.Equal((Utc(3, 28, 21), Utc(3, 28, 21).AddSeconds(200)), (ran.Start, ran.End));
        Assert.Contains("Succeeded", ran.Detail);
    }

    [Fact]
    public async Task Calendar_ShowsAWaitingMigrationWhenTheLimitsLetItStart_NotEveryOneAtTheWindowsStart()
    {
        MoveTo(SaturdayBeforeSpringForward);
        await Portal.AutoApproveEverythingAsync();
        await Portal.AddConnectionWindowAsync("nightly", RecurrenceKind.RRule, "FREQ=DAILY", "Europe/Berlin", new DateTime(2026, 3, 1, 22, 0, 0), 240);
        await Portal.Scoped<SetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(PortalHarness.Admin, new([new("demo", "host", 2)])));
        var (template, target) = await Portal.RequesterVmAsync();
        var vms = await Portal.AddDemoVmsAsync(template, "cal", 3, 1024);
        var ids = new List<Guid>();
        foreach (var vm in vms) ids.Add((await Portal.SubmitAsync(vm, target, ScheduleMode.NextWindow)).Id);

        var day = await Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(Requester, Utc(3, 28, 0), Utc(3, 29, 0)));

        // All three are planned for the window's start (22:00 CET), but the host takes two at a time: the third is shown
        // when the first of the two is expected to end, as the dispatcher will start it.
        var entries = ids.Select(id => Assert.Single(day, e => e.RequestId == id)).OrderBy(e => e.Start).ToList();
        foreach (var id in ids) Assert.Equal(Utc(3, 28, 21), (await Portal.RequestAsync(id)).PlannedStart);
        Assert.Equal(Utc(3, 28, 21), entries[0].Start);
        Assert.Equal(Utc(3, 28, 21), entries[1].Start);
        var estimate = (await Portal.RequestAsync(ids[0])).EstimatedSeconds!.Value; // the three VMs are the same size
        Assert.Equal(Utc(3, 28, 21).AddSeconds(Math.Max(60, estimate)), entries[2].Start);
        Assert.Contains($"expected to start when host {template.HostName} (2 at a time) has room", entries[2].Detail);
        Assert.DoesNotContain("expected to start", entries[0].Detail + entries[1].Detail);

        // With the limit raised, all three fit at the window's start again.
        await Portal.Scoped<SetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(PortalHarness.Admin, new([new("demo", "host", 8)])));
        var raised = await Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(Requester, Utc(3, 28, 0), Utc(3, 29, 0)));
        Assert.All(ids, id => Assert.Equal(Utc(3, 28, 21), Assert.Single(raised, e => e.RequestId == id).Start));
    }

    [Fact]
    public async Task Estimate_UsesMeasuredThroughput_OnceAMigrationOfThatKindSucceeded()
    {
        await Portal.AutoApproveEverythingAsync();
        var (vm, target) = await Portal.RequesterVmAsync();
        var first = await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved);
        var details = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(PortalHarness.Admin, first.Id));
        Assert.Contains("default 100 MB/s", details.EstimateBasis);
        var bytes = (await Portal.RequestAsync(first.Id)).EstimatedBytes!.Value;
        Assert.Equal(vm.MemoryMb * 1024L * 1024, bytes);
        Assert.Equal(60 + (int)Math.Ceiling(bytes / 100_000_000.0), details.EstimatedSeconds);

        Assert.Equal(1, await DispatchAsync());
        // The move took 200 s: the measured rate is bytes / 200 s.
        await Portal.Scoped<PortalDbContext>(db => SchedulingTestKit.RunToSucceededAsync(db, first.Id, _clock.GetUtcNow(), TimeSpan.FromSeconds(200)));

        var (other, otherTarget) = await Portal.RequesterVmAsync(1);
        var second = await Portal.SubmitAsync(other, otherTarget, ScheduleMode.AsSoonAsApproved);
        var secondDetails = await Portal.Scoped<GetRequest, RequestDetails>(u => u.HandleAsync(PortalHarness.Admin, second.Id));
        Assert.Contains("measured on the last 1 succeeded compute migration", secondDetails.EstimateBasis);
        var rate = bytes / 200.0;
        Assert.Equal((int)Math.Ceiling(Math.Ceiling(other.MemoryMb * 1024L * 1024 / rate)), secondDetails.EstimatedSeconds);
    }

    /// <summary>
    /// The real run job (<see cref="RunMigration"/> with the demo connector) carries every request out. Its waits (the
    /// demo connector's 250 ms poll, the cancel/heartbeat loop) are timers on the test's FakeTimeProvider, so the test
    /// plays the part of time: after each dispatcher tick it moves the clock through the dispatcher's 15 s period in
    /// 250 ms steps, pausing a moment of real time between steps for the runs to do their database work. A run that is
    /// slow in real time simply finishes in a later period; the limit must hold whichever way the runs interleave.
    /// </summary>
    [Fact]
    public async Task FiftyRequestsFromOneHost_StartAtMostThePerHostLimitAtOnce_AndAllFinish()
    {
        const int count = 50;
        const int perHostLimit = 8; // the vSphere default for vMotions per host; the demo connection follows vSphere
        await Portal.AutoApproveEverythingAsync();
        var (template, target) = await Portal.RequesterVmAsync();
        var vms = await Portal.AddDemoVmsAsync(template, "bulk", count, 2048);
        var ids = new List<Guid>();
        foreach (var vm in vms) ids.Add((await Portal.SubmitAsync(vm, target, ScheduleMode.AsSoonAsApproved)).Id);

        var runs = new List<Task>();
        var maxInFlight = 0;
        var sawQueueReason = false;
        var dispatched = 0;
        async Task ObserveAsync()
        {
            var inFlight = await Portal.Db(db => db.Requests.CountAsync(r => ids.Contains(r.Id) && SchedulingTestKit.InFlight.Contains(r.State)));
            maxInFlight = Math.Max(maxInFlight, inFlight);
            Assert.True(inFlight <= perHostLimit, $"{inFlight} in flight from one host; the vSphere limit is {perHostLimit}.");
        }

        Task<int> SucceededAsync() => Portal.Db(db => db.Requests.CountAsync(r => ids.Contains(r.Id) && r.State == RequestState.Succeeded));

        var realTimeLimit = System.Diagnostics.Stopwatch.StartNew();
        while (await SucceededAsync() < count)
        {
            Assert.True(realTimeLimit.Elapsed < TimeSpan.FromMinutes(3), $"Only {await SucceededAsync()} of {count} finished after 3 minutes of real time.");
            dispatched += await DispatchAsync();
            // The dispatcher enqueued a run job per request it scheduled; run each as Hangfire would, in the background.
            while (Portal.Jobs.Runs.TryDequeue(out var id)) runs.Add(Task.Run(() => Portal.Scoped<RunMigration>(r => r.HandleAsync(id))));
            await ObserveAsync();
            var queued = await Portal.Db(db => db.Requests.Where(r => ids.Contains(r.Id) && r.State == RequestState.Approved).Select(r => new { r.QueueReason, r.PlannedStart }).FirstOrDefaultAsync());
            if (queued is not null)
            {
                Assert.Equal($"Queued: waiting for host {template.HostName} ({perHostLimit}/{perHostLimit} in use).", queued.QueueReason);
                // Still on the calendar where it was due.
                Assert.NotNull(queued.PlannedStart);
                Assert.True(queued.PlannedStart <= _clock.GetUtcNow());
                sawQueueReason = true;
            }

            for (var step = 0; step < 60; step++)
            {
                _clock.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Delay(5);
            }

            await ObserveAsync();
            // A run that threw would otherwise only show up as a request that never finishes.
            foreach (var failed in runs.Where(r => r.IsFaulted)) await failed;
        }

        await Task.WhenAll(runs);
        Assert.Equal(perHostLimit, maxInFlight);
        Assert.True(sawQueueReason);
        Assert.Equal(count, dispatched);
        Assert.Equal(count, await SucceededAsync());
        // Finished by the real itinerary: every request went through its transfer and verification, and the demo
        // hypervisor now has every VM on the target host.
        var finished = await Portal.Db(db => db.Requests.AsNoTracking().Include(r => r.Steps).Where(r => ids.Contains(r.Id)).ToListAsync());
        Assert.All(finished, r => Assert.Contains(r.Steps, step => step.Name == "transfer" && step.Status == StepStatus.Succeeded));
        Assert.Equal(count, await Portal.Db(db => db.DemoVms.CountAsync(v => v.Id.StartsWith("bulk-") && v.HostId == target)));
        await DispatchAsync();
        Assert.Equal(0, await Portal.Db(db => db.CapacitySlots.CountAsync()));
    }
}

public sealed class SqliteWindowDispatchTests() : WindowDispatchTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlWindowDispatchTests() : WindowDispatchTests(DatabaseProvider.PostgreSql);
