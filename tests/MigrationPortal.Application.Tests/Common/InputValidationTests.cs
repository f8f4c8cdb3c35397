using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Admin;
using MigrationPortal.Application.Common;
using MigrationPortal.Application.Requests;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Application.Tests.Scheduling;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Inventory;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Identity;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Common;

/// <summary>
/// The use cases refuse what the API's JSON reader would (the UI calls them directly): enum numbers that name nothing,
/// text longer than its column or holding NUL, references to things that do not exist, and rules that open a window
/// more than once an hour. Each refusal names its field and stores nothing.
/// </summary>
public abstract class InputValidationTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private static async Task<ValidationFailedException> RefusedAsync(Func<Task> act, string field, string words)
    {
        var error = await Assert.ThrowsAsync<ValidationFailedException>(act);
        Assert.True(error.Errors.TryGetValue(field, out var messages), $"No error on {field}: {error.Message}");
        Assert.Contains(messages, m => m.Contains(words, StringComparison.Ordinal));
        return error;
    }

    [Fact]
    public async Task SubmitRequest_RefusesKind_WhenTheNumberNamesNoMember()
    {
        var (vm, target) = await Portal.RequesterVmAsync();
        await RefusedAsync(() => Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, (MigrationKind)99, true, target, null, "moves nothing"))), "Kind", "is not one of");
        await RefusedAsync(() => Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.Compute, true, target, null, "when?", (ScheduleMode)42))), "ScheduleMode", "is not one of");
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
    }

    [Fact]
    public async Task SubmitRequest_NamesEveryOverLongOrNulField_InOneRound()
    {
        var (vm, _) = await Portal.RequesterVmAsync();
        var error = await RefusedAsync(() => Portal.Scoped<SubmitRequest, RequestSummary>(u => u.HandleAsync(Requester,
            new SubmitRequest.Command(vm.Id, MigrationKind.ComputeAndStorage, true, "host\0", new string('d', TextLimits.ExternalId + 1), "why\0"))), "TargetHostId", "NUL");
        Assert.Contains(error.Errors["Justification"], m => m.Contains("NUL", StringComparison.Ordinal));
        Assert.Contains(error.Errors["TargetDatastoreId"], m => m.Contains("or fewer", StringComparison.Ordinal));
        Assert.Equal(0, await Portal.Db(db => db.Requests.CountAsync()));
    }

    [Fact]
    public async Task SaveWindow_RefusesRecurrenceAndScopeKind_WhenTheNumbersNameNoMember()
    {
        var connection = await Portal.DemoConnectionIdAsync();
        var input = new CalendarPeriodInput("numbers", (RecurrenceKind)7, "0 22 * * *", "UTC", new DateTime(2026, 1, 1, 22, 0, 0), 60, (WindowScopeKind)9, connection);
        var error = await RefusedAsync(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input)), "Recurrence", "is not one of");
        Assert.Contains(error.Errors["ScopeKind"], m => m.Contains("is not one of", StringComparison.Ordinal));
        Assert.Equal(0, await Portal.Db(db => db.MaintenanceWindows.CountAsync()));
    }

    [Theory]
    [InlineData(RecurrenceKind.RRule, "FREQ=SECONDLY")]
    [InlineData(RecurrenceKind.RRule, "FREQ=MINUTELY;INTERVAL=30")]
    [InlineData(RecurrenceKind.RRule, "FREQ=HOURLY;BYMINUTE=0,30")]
    [InlineData(RecurrenceKind.RRule, "FREQ=DAILY;BYHOUR=22;BYMINUTE=0;BYSECOND=0,1,2")]
    [InlineData(RecurrenceKind.Cron, "* * * * *")]
    [InlineData(RecurrenceKind.Cron, "*/15 22 * * *")]
    [InlineData(RecurrenceKind.Cron, "0,30 22 * * 6")]
    [InlineData(RecurrenceKind.Cron, "@every_minute")]
    public async Task SaveBlackout_Refuses_WhenTheRuleOpensMoreThanOnceAnHour(RecurrenceKind kind, string expression)
    {
        var input = new CalendarPeriodInput("too often", kind, expression, "UTC", new DateTime(2026, 1, 1, 22, 0, 0), 1);
        await RefusedAsync(() => Portal.Scoped<SaveBlackout, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input)), "Expression", "more than once an hour");
        Assert.Equal(0, await Portal.Db(db => db.Blackouts.CountAsync()));
    }

    [Theory]
    [InlineData(RecurrenceKind.RRule, "FREQ=HOURLY")]
    [InlineData(RecurrenceKind.RRule, "FREQ=WEEKLY;BYDAY=SA;BYHOUR=22;BYMINUTE=0")]
    [InlineData(RecurrenceKind.Cron, "0 * * * *")]
    [InlineData(RecurrenceKind.Cron, "30 22 * * 6")]
    [InlineData(RecurrenceKind.Cron, "@daily")]
    public async Task SaveBlackout_Accepts_WhenTheRuleOpensAtMostHourly(RecurrenceKind kind, string expression)
    {
        var input = new CalendarPeriodInput($"ok {expression}", kind, expression, "UTC", new DateTime(2026, 1, 1, 22, 0, 0), 30);
        var saved = await Portal.Scoped<SaveBlackout, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input));
        Assert.Equal(expression, saved.Expression);
    }

    [Fact]
    public async Task GetCalendar_ExpandsABoundedNumberOfOccurrences_WhenAStoredRuleOpensEveryMinute()
    {
        // Saved before the hourly rule existed: the use case would refuse it now, so it goes straight into the table.
        var now = Portal.Time.GetUtcNow();
        var connection = await Portal.DemoConnectionIdAsync();
        await Portal.Db(async db =>
        {
            var window = new MaintenanceWindow();
            window.Define("every minute", RecurrenceKind.RRule, "FREQ=MINUTELY", "UTC", now.UtcDateTime.AddDays(-1), TimeSpan.FromMinutes(1),
                new WindowScope(WindowScopeKind.Connection, connection, connection.ToString(), "demo"), true, new Actor("legacy", "Legacy"), now);
            db.MaintenanceWindows.Add(window);
            return await db.SaveChangesAsync();
        });

        var clock = Stopwatch.StartNew();
        var entries = await Portal.Scoped<GetCalendar, IReadOnlyList<CalendarEntry>>(u => u.HandleAsync(PortalHarness.Admin, now, now + GetCalendar.MaxRange));
        clock.Stop();

        // 190 days of a one-minute rule are 273,600 occurrences; the query stops at the cap.
        Assert.InRange(entries.Count(e => e.Kind == CalendarEntryKind.Window), WindowSchedule.MaxOccurrencesPerQuery - 1, WindowSchedule.MaxOccurrencesPerQuery);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"The calendar took {clock.Elapsed}.");
    }

    [Fact]
    public async Task ListRequests_RefusesState_WhenTheNumberNamesNoMember()
    {
        await RefusedAsync(() => Portal.Scoped<ListRequests, PagedResult<RequestSummary>>(u => u.HandleAsync(PortalHarness.Admin, new ListRequests.Query((RequestState)999))),
            "State", "is not one of");
    }

    [Fact]
    public async Task SetApprovalRules_RefusesRule_WhenItsApplicationOrOutcomeDoesNotExist()
    {
        var before = await Portal.Db(db => db.ApprovalRules.CountAsync());
        var error = await RefusedAsync(() => Portal.Scoped<SetApprovalRules>(u => u.HandleAsync(PortalHarness.Admin,
        [
            new SetApprovalRules.Rule("ghost application", ApprovalOutcome.AutoApprove, ApplicationId: Guid.NewGuid()),
            new SetApprovalRules.Rule("ghost outcome", (ApprovalOutcome)9, Kind: (MigrationKind)99),
        ])), "Rules[0].ApplicationId", "does not exist");
        Assert.Contains(error.Errors["Rules[1].Outcome"], m => m.Contains("is not one of", StringComparison.Ordinal));
        Assert.Contains(error.Errors["Rules[1].Kind"], m => m.Contains("is not one of", StringComparison.Ordinal));
        Assert.Equal(before, await Portal.Db(db => db.ApprovalRules.CountAsync()));
    }

    [Fact]
    public async Task SetApplicationOwners_RefusesOwnerKindAndNul_InOneRound()
    {
        var app = await Portal.Db(db => db.Applications.FirstAsync(a => a.Name == RequesterApp));
        var error = await RefusedAsync(() => Portal.Scoped<SetApplicationOwners>(u => u.HandleAsync(PortalHarness.Admin,
            new SetApplicationOwners.Command(app.Id, "prod\0", new string('c', TextLimits.Criticality + 1), [new((OwnerKind)5, "someone")]))), "Owners[0].Kind", "is not one of");
        Assert.Contains(error.Errors["Environment"], m => m.Contains("NUL", StringComparison.Ordinal));
        Assert.Contains(error.Errors["Criticality"], m => m.Contains("or fewer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SaveConnection_RefusesCaCertificate_WhenThePemDoesNotParse()
    {
        const string notACertificate = "-----BEGIN CERTIFICATE-----\nTWFueSBoYW5kcyBtYWtlIGxpZ2h0IHdvcmsu\n-----END CERTIFICATE-----";
        await RefusedAsync(() => Portal.Scoped<SaveConnection, ConnectionView>(u => u.HandleAsync(PortalHarness.Admin,
            new SaveConnection.Command(null, "kvm-lab", ConnectionKinds.Libvirt, "qemu+tls://kvm1.example/system", null, null, null, false, CaCertificatePem: notACertificate))),
            "CaCertificatePem", "not a certificate");
        Assert.False(await Portal.Db(db => db.Connections.AnyAsync(c => c.Name == "kvm-lab")));
    }

    /// <summary>Each limit the use cases check is the length of the column the value lands in, so a valid value always fits.</summary>
    [Fact]
    public async Task TextLimits_EqualTheColumnLengths_InTheModel()
    {
        var columns = await Portal.Db(db =>
        {
            int? Length(Type entity, string property, string? owned = null)
            {
                var type = db.Model.FindEntityType(entity)!;
                if (owned is not null) type = type.FindNavigation(owned)!.TargetEntityType;
                return Task.FromResult(type.FindProperty(property)!.GetMaxLength()).Result;
            }

            return Task.FromResult(new (string Column, int? Length, int Limit)[]
            {
                ("Request.Justification", Length(typeof(MigrationRequest), nameof(MigrationRequest.Justification)), TextLimits.Justification),
                ("Request.TargetHostId", Length(typeof(MigrationRequest), "HostId", "Target"), TextLimits.ExternalId),
                ("Request.TargetDatastoreId", Length(typeof(MigrationRequest), "DatastoreId", "Target"), TextLimits.ExternalId),
                ("Decision.Comment", Length(typeof(Decision), nameof(Decision.Comment)), TextLimits.Comment),
                ("Batch.Name", Length(typeof(MigrationBatch), nameof(MigrationBatch.Name)), TextLimits.Name),
                ("Connection.Name", Length(typeof(Connection), nameof(Connection.Name)), TextLimits.Name),
                ("Connection.Endpoint", Length(typeof(Connection), nameof(Connection.Endpoint)), TextLimits.Endpoint),
                ("Connection.Username", Length(typeof(Connection), nameof(Connection.Username)), TextLimits.Name),
                ("Connection.CaCertificatePem", Length(typeof(Connection), nameof(Connection.CaCertificatePem)), TextLimits.Pem),
                ("Connection.ClientCertificatePem", Length(typeof(Connection), nameof(Connection.ClientCertificatePem)), TextLimits.Pem),
                ("ApprovalRule.Name", Length(typeof(ApprovalRule), nameof(ApprovalRule.Name)), TextLimits.Name),
                ("ApprovalRule.ApproverGroup", Length(typeof(ApprovalRule), nameof(ApprovalRule.ApproverGroup)), TextLimits.Group),
                ("ApprovalRule.Environment", Length(typeof(ApprovalRule), nameof(ApprovalRule.Environment)), TextLimits.Environment),
                ("ApprovalRule.Criticality", Length(typeof(ApprovalRule), nameof(ApprovalRule.Criticality)), TextLimits.Criticality),
                ("Application.Environment", Length(typeof(MigrationPortal.Domain.Inventory.Application), "Environment"), TextLimits.Environment),
                ("Application.Criticality", Length(typeof(MigrationPortal.Domain.Inventory.Application), "Criticality"), TextLimits.Criticality),
                ("ApplicationOwner.Principal", Length(typeof(ApplicationOwner), nameof(ApplicationOwner.Principal)), TextLimits.Principal),
                ("UserGroupMembership.Group", Length(typeof(UserGroupMembership), nameof(UserGroupMembership.Group)), TextLimits.Group),
                ("UserGroupMembership.UserId", Length(typeof(UserGroupMembership), nameof(UserGroupMembership.UserId)), TextLimits.UserId),
                ("Account.UserName", Length(typeof(PortalAccount), nameof(PortalAccount.UserName)), TextLimits.Name),
                ("Account.Email", Length(typeof(PortalAccount), nameof(PortalAccount.Email)), TextLimits.Email),
                ("Window.Name", Length(typeof(MaintenanceWindow), nameof(MaintenanceWindow.Name)), TextLimits.WindowName),
                ("Window.Expression", Length(typeof(MaintenanceWindow), nameof(MaintenanceWindow.Expression)), TextLimits.Expression),
                ("Window.TimeZoneId", Length(typeof(MaintenanceWindow), nameof(MaintenanceWindow.TimeZoneId)), TextLimits.TimeZoneId),
                ("Window.ScopeKey", Length(typeof(MaintenanceWindow), "Key", "Scope"), TextLimits.ExternalId),
                // The display name is stored unbounded but becomes an audit actor name (256).
                ("AuditEvent.ActorName", Length(typeof(MigrationPortal.Domain.Audit.AuditEvent), "ActorName"), TextLimits.Name),
            });
        });
        Assert.All(columns, c => Assert.True(c.Length == c.Limit, $"{c.Column}: column {c.Length}, use-case limit {c.Limit}"));
        // A reason lands in a transition's reason behind at most a short prefix ("Retry: ").
        var reason = await Portal.Db(db => Task.FromResult(db.Model.FindEntityType(typeof(Transition))!.FindProperty(nameof(Transition.Reason))!.GetMaxLength()));
        Assert.True(TextLimits.Reason + 100 <= reason);
    }
}

public sealed class SqliteInputValidationTests() : InputValidationTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlInputValidationTests() : InputValidationTests(DatabaseProvider.PostgreSql);
