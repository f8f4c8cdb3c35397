using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Approvals;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Dashboard;
using MigrationPortal.Application.Evacuation;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Dashboard;

/// <summary>
/// The dashboard, the calendar and the hosts panel read only what they show (the page benchmark, bench/page-tti.sh,
/// found them reading every scheduled, failed, ended or succeeded request at 10,000 requests): the ten earliest upcoming,
/// the ten latest failures, the awaiting count on the server, ended migrations only when they overlap the calendar's
/// range, and VM counts per host counted by the database.
/// </summary>
public abstract class PageQueriesAtScaleTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly Actor Rita = new(Requester.Id, Requester.Name);
    private static readonly Actor Anna = new(Approver1.Id, Approver1.Name);
    private static readonly Actor Ben = new(Approver2.Id, Approver2.Name);

    [Fact]
    public async Task GetDashboard_ShowsTheTenEarliestUpcomingAndTheTenLatestFailures_WhenThereAreMore()
    {
        // Scheduled in reverse order of creation, so "earliest" is not "first inserted".
        await SeedAsync(12, (r, i) =>
        {
            Approve(r, i);
            r.ScheduleFor(T0.AddDays(30 - i), Actor.System, T0, "Next window.");
        });
        await SeedAsync(12, (r, i) =>
        {
            Approve(r, i);
            r.Start(T0.AddHours(i));
            r.Fail(T0.AddHours(i).AddMinutes(5), $"failure {i}");
        });

        var view = await Portal.Scoped<GetDashboard, DashboardView>(u => u.HandleAsync(PortalHarness.Admin));

        Assert.Equal(Enumerable.Range(2, 10).Select(i => T0.AddDays(30 - i)).Reverse(), view.Upcoming.Select(r => r.PlannedStart!.Value));
        Assert.Equal(Enumerable.Range(2, 10).Select(i => $"failure {i}").Reverse(), view.RecentFailures.Select(r => r.FailureReason));
        Assert.Equal(12, view.ByState[RequestState.Scheduled]);
    }

    [Fact]
    public async Task GetDashboard_CountsOnlyWhatTheApproverMayStillDecide_WhenSomeAreDecidedTheirOwnOrOfAnotherGroup()
    {
        var twoApprovals = new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 2, null, "two");
        var cab = new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, "cab", "cab only");
        var ids = await SeedAsync(4, (r, i) => { }, (i, now) => i == 3 ? cab : twoApprovals, requester: i => i == 2 ? Anna : Rita);
        await Portal.Db(async db =>
        {
            var first = await db.Requests.Include(r => r.Decisions).FirstAsync(r => r.Id == ids[1]);
            first.Approve(Anna, "one of two", T0.AddMinutes(1));
            return await db.SaveChangesAsync();
        });

        var anna = await Portal.Scoped<GetDashboard, DashboardView>(u => u.HandleAsync(Approver1));
        var ben = await Portal.Scoped<GetDashboard, DashboardView>(u => u.HandleAsync(Approver2));

        Assert.Equal(1, anna.AwaitingMyDecision); // 0 only: 1 she approved, 2 is hers, 3 is the CAB's
        Assert.Equal(3, ben.AwaitingMyDecision);  // 0, 1 and 2
    }

    [Fact]
    public async Task GetCalendar_ShowsAnEndedMigrationOnlyWhenItOverlapsTheRange()
    {
        // Ran on day i from 10:00 to 11:00, for i = 0..9.
        var ids = await SeedAsync(10, (r, i) =>
        {
            Approve(r, i);
            r.Start(T0.AddDays(i).AddHours(-2));
            r.Fail(T0.AddDays(i).AddHours(-1), "failed");
        });

        var entries = await Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(PortalHarness.Admin, T0.AddDays(3).AddHours(-1.5), T0.AddDays(6).AddHours(-2.5)));

        // From day 3 10:30 to day 6 09:30: day 3's run ends inside it, days 4 and 5 lie in it, day 2's ended before it and day 6's starts after it.
        var shown = entries.Where(e => e.Kind == CalendarEntryKind.Migration).Select(e => e.RequestId!.Value).ToHashSet();
        Assert.Equal(new[] { ids[3], ids[4], ids[5] }.ToHashSet(), shown);
    }

    [Fact]
    public async Task GetCalendarDays_ShowsTheFirstFewPerDayAndCountsTheRest_WhenADayHasManyMigrations()
    {
        // Ten runs on day 1 (10:00, 10:10, ... in reverse order of creation), two on day 2, one scheduled on day 3.
        var busy = await SeedAsync(10, (r, i) =>
        {
            Approve(r, i);
            r.Start(T0.AddDays(1).AddMinutes(10 * (9 - i)).AddHours(-2));
            r.Fail(T0.AddDays(1).AddMinutes(10 * (9 - i) + 5).AddHours(-2), "failed");
        });
        var quiet = await SeedAsync(2, (r, i) =>
        {
            Approve(r, i);
            r.Start(T0.AddDays(2).AddHours(i));
            r.Fail(T0.AddDays(2).AddHours(i).AddMinutes(5), "failed");
        });
        var scheduled = await SeedAsync(1, (r, i) =>
        {
            Approve(r, i);
            r.ScheduleFor(T0.AddDays(3), Actor.System, T0, "Next window.");
        });
        var midnight = new DateTimeOffset(T0.Date, TimeSpan.Zero);
        var bounds = Enumerable.Range(0, 8).Select(d => midnight.AddDays(d)).ToList();

        var days = await Portal.Scoped<GetCalendarDays, IReadOnlyList<CalendarDay>>(u => u.HandleAsync(PortalHarness.Admin, bounds, 3));

        Assert.Equal(7, days.Count);
        // Day 1: the three earliest (created last), and 7 more; none of them on another day.
        Assert.Equal(new[] { busy[9], busy[8], busy[7] }, days[1].Migrations.Select(e => e.RequestId!.Value));
        Assert.Equal(7, days[1].More);
        Assert.Equal(new[] { quiet[0], quiet[1] }, days[2].Migrations.Select(e => e.RequestId!.Value));
        Assert.Equal(0, days[2].More);
        Assert.Equal(scheduled[0], Assert.Single(days[3].Migrations).RequestId);
        Assert.All(new[] { 0, 4, 5, 6 }, d => Assert.Equal(0, days[d].MigrationCount));
    }

    [Fact]
    public async Task ListApprovalCards_ReadsEachCardsJustificationPolicyAndApprovals_InOneCall()
    {
        var twoApprovals = new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 2, null, "two approvals");
        var ids = await SeedAsync(3, (r, i) => { }, (i, now) => twoApprovals);
        await Portal.Db(async db =>
        {
            var first = await db.Requests.Include(r => r.Decisions).FirstAsync(r => r.Id == ids[1]);
            first.Approve(Anna, "one of two", T0.AddMinutes(1));
            return await db.SaveChangesAsync();
        });

        var cards = await Portal.Scoped<ListApprovalCards, IReadOnlyDictionary<Guid, ApprovalCard>>(u => u.HandleAsync(Approver2, [ids[0], ids[1], Guid.NewGuid()]));

        Assert.Equal(new[] { ids[0], ids[1] }.Order(), cards.Keys.Order());
        Assert.Equal(0, cards[ids[0]].Approvals);
        Assert.Equal(1, cards[ids[1]].Approvals);
        Assert.All(cards.Values, c => Assert.Equal(("test", "two approvals", 2), (c.Justification, c.PolicyReason, c.RequiredApprovals)));
        await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<ListApprovalCards, IReadOnlyDictionary<Guid, ApprovalCard>>(
            u => u.HandleAsync(Approver2, Enumerable.Range(0, ListApprovalCards.MaxCards + 1).Select(_ => Guid.NewGuid()).ToList())));
    }

    [Fact]
    public async Task ListHosts_DoesNotCountAVm_WhenASucceededRequestMovedItAwaySinceItsLastSync()
    {
        var before = await Portal.Scoped<ListHosts, IReadOnlyList<HostSummary>>(u => u.HandleAsync(Operator));
        var vm = await Portal.Db(db => db.Vms.OrderBy(v => v.Name).FirstAsync());
        var other = await Portal.Db(db => db.Hosts.Where(h => h.ConnectionId == vm.ConnectionId && h.ExternalId != vm.HostExternalId).Select(h => h.ExternalId).FirstAsync());
        await Portal.Db(async db =>
        {
            var r = new MigrationRequest(vm.Id, vm.Name, vm.ConnectionId, vm.ApplicationId, null, vm.HostName, vm.Datastores, MigrationKind.Compute, true,
                new MigrationTarget(vm.ConnectionId, other, other, null, null, null), new ScheduleWish(ScheduleMode.AsSoonAsApproved, null), "test",
                new MigrationOptions(), Rita, vm.SyncedAt);
            r.Submit(Rita, vm.SyncedAt, new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, null, "one"), TimeSpan.FromDays(365));
            Approve(r, 1);
            r.Start(vm.SyncedAt.AddMinutes(1));
            r.BeginVerify(vm.SyncedAt.AddMinutes(2));
            r.Succeed(vm.SyncedAt.AddMinutes(3), "moved");
            db.Requests.Add(r);
            return await db.SaveChangesAsync();
        });

        var after = await Portal.Scoped<ListHosts, IReadOnlyList<HostSummary>>(u => u.HandleAsync(Operator));

        var host = before.Single(h => h.ConnectionId == vm.ConnectionId && h.Name == vm.HostName);
        Assert.Equal(host.VmCount - 1, after.Single(h => h.Id == host.Id).VmCount);
        Assert.Equal(before.Sum(h => h.VmCount) - 1, after.Sum(h => h.VmCount));
    }

    private static void Approve(MigrationRequest r, int i) => r.Approve(Ben, "ok", T0.AddMinutes(i));

    /// <summary>Requests on the demo's first VMs, one per VM (a VM has at most one active request), submitted at T0 + i minutes.</summary>
    private async Task<Guid[]> SeedAsync(int count, Action<MigrationRequest, int> then,
        Func<int, DateTimeOffset, ApprovalRequirement>? policy = null, Func<int, Actor>? requester = null)
    {
        return await Portal.Db(async db =>
        {
            var taken = await db.Requests.Select(r => r.VmId).ToListAsync();
            var vms = await db.Vms.Where(v => !taken.Contains(v.Id)).OrderBy(v => v.Name).Take(count).ToListAsync();
            var ids = new Guid[count];
            for (var i = 0; i < count; i++)
            {
                var vm = vms[i];
                var who = requester?.Invoke(i) ?? Rita;
                var r = new MigrationRequest(vm.Id, vm.Name, vm.ConnectionId, vm.ApplicationId, null, vm.HostName, vm.Datastores, MigrationKind.Compute, true,
                    new MigrationTarget(vm.ConnectionId, "host-x", "host-x", null, null, null), new ScheduleWish(ScheduleMode.AsSoonAsApproved, null), "test",
                    new MigrationOptions(), who, T0.AddMinutes(i));
                r.Submit(who, T0.AddMinutes(i), policy?.Invoke(i, T0) ?? new ApprovalRequirement(ApprovalOutcome.RequireApprovals, 1, null, "one"), TimeSpan.FromDays(365));
                then(r, i);
                db.Requests.Add(r);
                ids[i] = r.Id;
            }

            await db.SaveChangesAsync();
            return ids;
        });
    }
}

public sealed class SqlitePageQueriesAtScaleTests() : PageQueriesAtScaleTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlPageQueriesAtScaleTests() : PageQueriesAtScaleTests(DatabaseProvider.PostgreSql);
