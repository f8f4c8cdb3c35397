using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Components.Shared;
using MudBlazor;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The schedule step's date and time pickers in the user's zone (shown with UTC), its own prechecks, and the justification's counter.</summary>
public sealed class WizardScheduleTests : BatchWizardTestContext
{
    private static readonly Dictionary<ScheduleMode, string> Labels = new()
    {
        [ScheduleMode.AsSoonAsApproved] = "As soon as approved",
        [ScheduleMode.SpecificTime] = "At a specific time",
    };

    private static void Pick(IRenderedComponent<RequestWizard> cut, ScheduleMode mode) =>
        cut.FindComponents<MudRadio<ScheduleMode>>().Single(r => r.Find("*").TextContent.Trim().StartsWith(Labels[mode], StringComparison.Ordinal)).Find("input").Click();

    [Fact]
    public async Task SpecificTime_IsPickedInTheUsersZone_ShownWithUtc_AndSubmittedAsThatInstant()
    {
        Services.GetRequiredService<UserTimeZone>().Use(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA);
        await Next(cut);
        Pick(cut, ScheduleMode.SpecificTime);

        Assert.NotEmpty(cut.FindComponents<MudDatePicker>());
        Assert.NotEmpty(cut.FindComponents<MudTimePicker>());
        Assert.Contains("Start date (Europe/Berlin)", cut.Find("[data-testid=not-before]").TextContent);
        TypeAndLeave(cut, "not-before-date", "2026-06-02");
        TypeAndLeave(cut, "not-before-time", "22:30");
        // Berlin is UTC+2 in June; the next day's date is not repeated on the UTC side only when it is the same day.
        Assert.Equal("Starts no earlier than 2026-06-02 22:30 Europe/Berlin (20:30 UTC)", cut.Find("[data-testid=not-before-shown]").TextContent.Trim());

        await Next(cut);
        Type(cut, "justification", "Rack 12 is retired");
        await Next(cut);
        Assert.Contains("2026-06-02 22:30 Europe/Berlin (20:30 UTC)", cut.Find("[data-testid=review-schedule]").TextContent);
        await Submit(cut);
        Assert.Equal(new DateTimeOffset(2026, 6, 2, 20, 30, 0, TimeSpan.Zero), Assert.Single(Backend.Submitted).NotBefore);
    }

    [Fact]
    public async Task ScheduleStep_StaysWithTheFindingBesideTheSchedule_WhenThePrecheckRefusesTheStart()
    {
        Backend.FindingsFor = c => c.ScheduleMode == ScheduleMode.SpecificTime
            ? [new PrecheckFinding(FindingSeverity.Critical, "schedule", "A blackout covers that time.")]
            : [];
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA, BatchWizardBackend.VmB);
        await Next(cut);
        Pick(cut, ScheduleMode.SpecificTime);
        TypeAndLeave(cut, "not-before-date", "2026-06-03");
        TypeAndLeave(cut, "not-before-time", "08:00");
        await Next(cut);

        Assert.Equal(3, StepOf(cut));
        Assert.Equal(["vm-a: A blackout covers that time.", "vm-b: A blackout covers that time."], cut.FindAll("[data-testid=schedule-finding]").Select(e => e.TextContent.Trim()));
        Pick(cut, ScheduleMode.AsSoonAsApproved);
        await Next(cut);
        Assert.Equal(4, StepOf(cut));
    }

    [Fact]
    public async Task Justification_CountsCharactersAgainstTheUseCasesLimit()
    {
        var cut = RenderWizard();
        await ToTargets(cut, MigrationKind.Compute, BatchWizardBackend.VmA);
        await Next(cut);
        await Next(cut);
        Type(cut, "justification", "Rack 12 is retired");

        var field = cut.FindComponents<MudTextField<string>>().Single(f => Equals(f.Instance.UserAttributes.GetValueOrDefault("data-testid"), "justification"));
        Assert.Equal(MigrationPortal.Application.Common.TextLimits.Justification, field.Instance.MaxLength);
        Assert.Contains("18 / 2000", cut.Markup);
        Assert.Equal("2000", cut.Find("textarea[data-testid=justification], [data-testid=justification] textarea").GetAttribute("maxlength"));
    }
}
