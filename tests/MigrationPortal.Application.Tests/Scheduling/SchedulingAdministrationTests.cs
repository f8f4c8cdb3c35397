using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Audit;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>Managing windows, blackouts and limits: validation beside each field, who may do what, and who sees which window.</summary>
public abstract class SchedulingAdministrationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    // "Next window" starts at the occurrence's start, or at once while it is already open: the window (22:00 Berlin,
    // 2 hours) is open between 21:00 and 23:00 UTC, when the old exact-start assertion failed on the wall clock.
    private static void AssertInside(TimeSlot occurrence, DateTimeOffset? plannedStart)
    {
        Assert.NotNull(plannedStart);
        Assert.InRange(plannedStart.Value, occurrence.Start, occurrence.End);
    }

    private async Task<CalendarPeriodInput> ValidInputAsync(string name = "nightly") =>
        new(name, RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin", new DateTime(2026, 1, 1, 22, 0, 0), 120, WindowScopeKind.Connection, await Portal.DemoConnectionIdAsync());

    [Theory]
    [InlineData(RecurrenceKind.RRule, "FREQ=SOMETIMES", "Europe/Berlin", 60, "Expression", "not a valid iCalendar RRULE")]
    [InlineData(RecurrenceKind.RRule, "BYDAY=SA", "Europe/Berlin", 60, "Expression", "FREQ")]
    [InlineData(RecurrenceKind.Cron, "61 25 * * *", "Europe/Berlin", 60, "Expression", "not a valid cron expression")]
    [InlineData(RecurrenceKind.Cron, "0 22 * * *", "Europe/Atlantis", 60, "TimeZoneId", "not an IANA time zone")]
    [InlineData(RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin", 0, "DurationMinutes", "longer than zero")]
    [InlineData(RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin", -30, "DurationMinutes", "longer than zero")]
    public async Task SaveWindow_NamesTheBadField_ForBadInput(RecurrenceKind kind, string expression, string zone, int minutes, string field, string message)
    {
        var input = await ValidInputAsync() with { Recurrence = kind, Expression = expression, TimeZoneId = zone, DurationMinutes = minutes };
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input)));
        Assert.Equal([field], error.Errors.Keys);
        Assert.Contains(message, error.Errors[field][0]);
        Assert.Equal(0, await Portal.Db(db => db.MaintenanceWindows.CountAsync()));
    }

    [Fact]
    public async Task SaveWindow_NeedsAScopeThatExists()
    {
        var input = await ValidInputAsync();
        var noScope = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input with { ScopeKind = null })));
        Assert.True(noScope.Errors.ContainsKey("ScopeKind"));
        var badHost = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null,
            input with { ScopeKind = WindowScopeKind.Host, ScopeItem = "no-such-host" })));
        Assert.Contains("no-such-host", badHost.Errors["ScopeItem"][0]);
        var blackout = await Portal.Scoped<SaveBlackout, CalendarPeriodView>(u => u.HandleAsync(PortalHarness.Admin, null, input with { ScopeKind = null }));
        Assert.Null(blackout.ScopeKind);
        Assert.Equal("everything", blackout.ScopeText);
    }

    [Fact]
    public async Task SaveWindow_IsForOperatorsAndAdministrators_AndIsAudited()
    {
        var input = await ValidInputAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Requester, null, input)));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Approver1, null, input)));
        var saved = await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input));
        var edited = await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(PortalHarness.Admin, saved.Id, input with { DurationMinutes = 90 }));
        Assert.Equal(90, edited.DurationMinutes);
        Assert.Equal(3, edited.NextOccurrences.Count);
        Assert.Equal(2, await Portal.Db(db => db.AuditEvents.CountAsync(e => e.Action == AuditActions.ConfigChanged && e.EntityId == saved.Id.ToString())));
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<DeleteMaintenanceWindow>(u => u.HandleAsync(Requester, saved.Id)));
        await Portal.Scoped<DeleteMaintenanceWindow>(u => u.HandleAsync(Operator, saved.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => Portal.Scoped<DeleteMaintenanceWindow>(u => u.HandleAsync(Operator, saved.Id)));
    }

    [Fact]
    public async Task ListWindows_ShowsAnOwnerOnlyTheWindowsCoveringTheirVms()
    {
        var apps = await Portal.Db(db => db.Applications.ToDictionaryAsync(a => a.Name, a => a.Id));
        var input = await ValidInputAsync();
        await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input with { Name = "payments", ScopeKind = WindowScopeKind.Application, ScopeApplicationId = apps[RequesterApp] }));
        await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input with { Name = "crm", ScopeKind = WindowScopeKind.Application, ScopeApplicationId = apps[OtherApp] }));
        await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input with { Name = "whole demo" }));

        var rita = await Portal.Scoped<ListMaintenanceWindows, CalendarPeriods>(u => u.HandleAsync(Requester, new ListMaintenanceWindows.Query()));
        Assert.Equal(["payments", "whole demo"], rita.Windows.Select(w => w.Name).Order());
        var operatorView = await Portal.Scoped<ListMaintenanceWindows, CalendarPeriods>(u => u.HandleAsync(Operator, new ListMaintenanceWindows.Query()));
        Assert.Equal(3, operatorView.Windows.Count);

        var crmVm = await Portal.Db(db => db.Vms.Where(v => v.ApplicationId == apps[OtherApp]).Select(v => v.Id).FirstAsync());
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<ListMaintenanceWindows, CalendarPeriods>(u => u.HandleAsync(Requester, new ListMaintenanceWindows.Query(crmVm))));
        var forCrmVm = await Portal.Scoped<ListMaintenanceWindows, CalendarPeriods>(u => u.HandleAsync(OtherRequester, new ListMaintenanceWindows.Query(crmVm)));
        Assert.Equal(["crm", "whole demo"], forCrmVm.Windows.Select(w => w.Name).Order());
    }

    [Fact]
    public async Task SetLimits_IsForAdministrators_ValidatesAndPersists()
    {
        var defaults = await Portal.Scoped<GetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(Operator));
        Assert.Equal((8, 2, 2, 2, 128, 1, 16), (defaults.Value("vsphere", "host"), defaults.Value("vsphere", "host-storage"), defaults.Value("libvirt", "host-out"),
            defaults.Value("libvirt", "host-in"), defaults.Value("vsphere", "datastore-budget"), defaults.Value("vsphere", "datastore-cost-compute"), defaults.Value("vsphere", "datastore-cost-storage")));
        static SetConcurrencyLimits.Command Limits(int perHost, int storageCost) => new([
            new("vsphere", "host", perHost), new("vsphere", "host-storage", 1), new("vsphere", "datastore-cost-storage", storageCost),
            new("portal", "per-connection", 10), new("portal", "global", 20)]);
        var command = Limits(4, 16);
        await Assert.ThrowsAsync<ForbiddenException>(() => Portal.Scoped<SetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(Operator, command)));
        var bad = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(PortalHarness.Admin, Limits(0, 200))));
        Assert.True(bad.Errors.ContainsKey("vsphere.host"));
        Assert.True(bad.Errors.ContainsKey("vsphere.datastore-cost-storage"));
        await Portal.Scoped<SetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(PortalHarness.Admin, command));
        var stored = await Portal.Scoped<GetConcurrencyLimits, ConcurrencyLimitsView>(u => u.HandleAsync(Auditor));
        Assert.Equal(4, stored.Value("vsphere", "host"));
        Assert.Equal(PortalHarness.Admin.Name, stored.Kinds.Single(k => k.Kind == "vsphere").Limits.Single(l => l.Resource == "host").UpdatedBy);
    }

    [Fact]
    public async Task DeleteWindow_IsRefusedAndNamesTheRequests_WhileWaitingRequestsAreScheduledIntoIt()
    {
        var input = await ValidInputAsync();
        var window = await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input));
        var (chosenVm, chosenTarget) = await Portal.RequesterVmAsync(0);
        var (nextVm, nextTarget) = await Portal.RequesterVmAsync(1);
        var chosen = await Portal.SubmitAsync(chosenVm, chosenTarget, MigrationPortal.Domain.Requests.ScheduleMode.ChosenWindow, windowId: window.Id);
        var next = await Portal.SubmitAsync(nextVm, nextTarget, MigrationPortal.Domain.Requests.ScheduleMode.NextWindow);
        AssertInside(window.NextOccurrences[0], next.PlannedStart);

        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<DeleteMaintenanceWindow>(u => u.HandleAsync(Operator, window.Id)));
        Assert.Equal(["Requests"], refused.Errors.Keys);
        Assert.Contains("Window 'nightly' cannot be deleted: 2 waiting requests are scheduled into it", refused.Errors["Requests"][0]);
        Assert.Contains(refused.Errors["Requests"], line => line.StartsWith(chosenVm.Name + " (request " + chosen.Id.ToString()[..8]));
        Assert.Contains(refused.Errors["Requests"], line => line.StartsWith(nextVm.Name + " (request " + next.Id.ToString()[..8]));
        // Disabling would strand them just the same.
        var disabling = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u =>
            u.HandleAsync(Operator, window.Id, input with { Enabled = false })));
        Assert.Contains("cannot be disabled", disabling.Errors["Requests"][0]);
        Assert.True(await Portal.Db(db => db.MaintenanceWindows.AnyAsync(w => w.Id == window.Id && w.Enabled)));

        // Once the requests are out of the way the window goes.
        foreach (var id in new[] { chosen.Id, next.Id })
            await Portal.Scoped<MigrationPortal.Application.Requests.CancelRequest, MigrationPortal.Application.Requests.RequestSummary>(u =>
                u.HandleAsync(Requester, new(id, "The window is going away.")));
        await Portal.Scoped<DeleteMaintenanceWindow>(u => u.HandleAsync(Operator, window.Id));
        Assert.False(await Portal.Db(db => db.MaintenanceWindows.AnyAsync(w => w.Id == window.Id)));
    }

    [Fact]
    public async Task DeleteWindow_IsAllowed_WhenAnotherWindowCoveringTheVmIsOpenAtThePlannedStart()
    {
        var nightly = await ValidInputAsync("nightly");
        var first = await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, nightly));
        var twin = await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, nightly with { Name = "nightly twin" }));
        var (vm, target) = await Portal.RequesterVmAsync();
        var next = await Portal.SubmitAsync(vm, target, MigrationPortal.Domain.Requests.ScheduleMode.NextWindow);
        AssertInside(first.NextOccurrences[0], next.PlannedStart);

        await Portal.Scoped<DeleteMaintenanceWindow>(u => u.HandleAsync(Operator, twin.Id));
        // The last window covering the VM is what the request now depends on.
        var refused = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<DeleteMaintenanceWindow>(u => u.HandleAsync(Operator, first.Id)));
        Assert.Contains(vm.Name, refused.Errors["Requests"][1]);
    }
}

public sealed class SqliteSchedulingAdministrationTests() : SchedulingAdministrationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlSchedulingAdministrationTests() : SchedulingAdministrationTests(DatabaseProvider.PostgreSql);
