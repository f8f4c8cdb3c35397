using MigrationPortal.Application.Common;
using MigrationPortal.Application.Scheduling;
using MigrationPortal.Application.Tests.Infrastructure;
using MigrationPortal.Domain.Scheduling;
using MigrationPortal.Infrastructure.Persistence;
using static MigrationPortal.Application.Tests.Infrastructure.PortalHarness;

namespace MigrationPortal.Application.Tests.Scheduling;

/// <summary>What the Windows form gets back from the server (issue 13 §4): every field's problem at once, in the portal's words.</summary>
public abstract class SaveWindowFormTests(DatabaseProvider provider) : DatabaseTestBase(provider)
{
    private async Task<CalendarPeriodInput> ValidInputAsync(string name = "nightly") =>
        new(name, RecurrenceKind.Cron, "0 22 * * *", "Europe/Berlin", new DateTime(2026, 1, 1, 22, 0, 0), 120, WindowScopeKind.Connection, await Portal.DemoConnectionIdAsync());

    [Fact]
    public async Task SaveWindow_ReportsTakenNameWithTheOtherFieldErrors_InOneRound()
    {
        var input = await ValidInputAsync("saturday");
        await Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input));

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u =>
            u.HandleAsync(Operator, null, input with { TimeZoneId = "Europe/Atlantis", DurationMinutes = 0 })));

        Assert.Equal(["DurationMinutes", "Name", "TimeZoneId"], error.Errors.Keys.Order());
        Assert.Contains("already exists", error.Errors["Name"][0]);
    }

    [Fact]
    public async Task SaveBlackout_ReportsTakenNameWithTheOtherFieldErrors_InOneRound()
    {
        var input = await ValidInputAsync("freeze");
        await Portal.Scoped<SaveBlackout, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input));

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveBlackout, CalendarPeriodView>(u =>
            u.HandleAsync(Operator, null, input with { Expression = "not cron" })));

        Assert.Equal(["Expression", "Name"], error.Errors.Keys.Order());
    }

    [Fact]
    public async Task SaveWindow_AsksForAZone_WhenNoneIsChosen()
    {
        var input = await ValidInputAsync();
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u =>
            u.HandleAsync(Operator, null, input with { TimeZoneId = "" })));
        Assert.Equal("Choose a time zone, such as Europe/Berlin.", error.Errors["TimeZoneId"][0]);
    }

    [Theory]
    [InlineData("FREQ=WEEKLY;FOO=1", "'foo'")]
    [InlineData("FREQ=NOPE", "NOPE")]
    [InlineData("FREQ=WEEKLY;BYDAY=XX", "XX")]
    [InlineData("FREQ=WEEKLY;BYHOUR=25", "BYHOUR")]
    [InlineData("FREQ=DAILY;INTERVAL=abc", "'abc' should be a whole number")]
    public async Task SaveWindow_KeepsLibraryTextOutOfTheMessage_WhenTheRuleIsBad(string rule, string named)
    {
        var input = await ValidInputAsync() with { Recurrence = RecurrenceKind.RRule, Expression = rule };
        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => Portal.Scoped<SaveMaintenanceWindow, CalendarPeriodView>(u => u.HandleAsync(Operator, null, input)));
        var message = Assert.Single(error.Errors["Expression"]);
        Assert.Contains(named, message);
        Assert.DoesNotContain("(Parameter", message);
        Assert.DoesNotContain("input string", message);
    }
}

public sealed class SqliteSaveWindowFormTests() : SaveWindowFormTests(DatabaseProvider.Sqlite);

public sealed class PostgreSqlSaveWindowFormTests() : SaveWindowFormTests(DatabaseProvider.PostgreSql);
