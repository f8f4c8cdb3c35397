using Bunit;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;
using MigrationPortal.Domain.Requests;
using MigrationPortal.Web.Components.Shared;

namespace MigrationPortal.Web.Tests.Components;

/// <summary>The request page's parts say the request's final state, not the last figures a run wrote.</summary>
public sealed class RequestPageTruthComponentTests : ComponentTestContext
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);
    private static readonly ProgressView Transferring = new("transferring", 52, 5L << 30, 10L << 30, 44, At);

    [Fact]
    public void ProgressBar_ShowsNoTransferOrEta_WhenTheRequestIsCancelled()
    {
        var cut = Render<MigrationProgressBar>(p => p.Add(c => c.Progress, Transferring).Add(c => c.State, RequestState.Cancelled));

        var text = cut.Find("[data-testid=progress-text]").TextContent;
        Assert.Contains("Cancelled at 52 %", text);
        Assert.DoesNotContain("left", text);
        Assert.DoesNotContain("transferring ·", text);
    }

    [Theory]
    [InlineData(RequestState.Failed, "Failed at 52 %")]
    [InlineData(RequestState.Succeeded, "Succeeded · 100 %")]
    [InlineData(RequestState.RolledBack, "Rolled back")]
    public void ProgressBar_ShowsTheFinalState_WhenTheRequestHasEnded(RequestState state, string expected)
    {
        var cut = Render<MigrationProgressBar>(p => p.Add(c => c.Progress, Transferring).Add(c => c.State, state));

        var text = cut.Find("[data-testid=progress-text]").TextContent;
        Assert.Contains(expected, text);
        Assert.DoesNotContain("left", text);
    }

    [Fact]
    public void ProgressBar_SaysTheMigrationDidNotRun_WhenARejectedRequestHasNoProgress()
    {
        var cut = Render<MigrationProgressBar>(p => p.Add(c => c.Progress, null).Add(c => c.State, RequestState.Rejected));
        Assert.Equal("Rejected: the migration did not run.", cut.Find("[data-testid=progress-text]").TextContent.Trim());
        Assert.Empty(cut.FindAll("[data-testid=progress-none]"));
    }

    [Fact]
    public void ProgressBar_SaysTheRunIsBeingRecovered_WhenTheHeartbeatIsStale()
    {
        var running = new ProgressView("transferring", 10, null, null, 90, At);
        var cut = Render<MigrationProgressBar>(p => p.Add(c => c.Progress, running).Add(c => c.State, RequestState.Running).Add(c => c.StaleSince, At));

        var text = cut.Find("[data-testid=progress-text]").TextContent;
        Assert.Contains("Being recovered", text);
        Assert.Contains("2026-12-03 10:00:00Z", text);
        Assert.DoesNotContain("left", text);
    }

    [Fact]
    public void ProgressBar_ShowsLiveFiguresWithEta_WhenTheRunIsAlive()
    {
        var cut = Render<MigrationProgressBar>(p => p.Add(c => c.Progress, Transferring).Add(c => c.State, RequestState.Running));
        var text = cut.Find("[data-testid=progress-text]").TextContent;
        Assert.Contains("transferring · 52 %", text);
        Assert.Contains("about 0:44 left", text);
    }

    [Fact]
    public void Itinerary_ShowsNotRunInsteadOfPending_WhenTheRequestWasRejected()
    {
        // An older release made every step's row Pending at submission; a rejected request kept them.
        var steps = new[] { "precheck", "snapshot", "transfer" }.Select(n => new StepView(n, StepStatus.Pending, null, null, null)).ToList();
        var cut = Render<ItineraryTable>(p => p.Add(c => c.Steps, steps).Add(c => c.State, RequestState.Rejected));

        var statuses = cut.FindAll("[data-testid=step-status]").Select(e => e.TextContent.Trim()).ToList();
        Assert.Equal(["Not run", "Not run", "Not run"], statuses);
        Assert.DoesNotContain("Pending", cut.Markup);
    }

    [Fact]
    public void Itinerary_ShowsStoppedForTheStepThatWasRunning_WhenTheRequestWasCancelled()
    {
        var steps = new List<StepView>
        {
            new("precheck", StepStatus.Succeeded, At, At, "ok"),
            new("transfer", StepStatus.Running, At, null, null),
            new("verify", StepStatus.Pending, null, null, null),
        };
        var cut = Render<ItineraryTable>(p => p.Add(c => c.Steps, steps).Add(c => c.State, RequestState.Cancelled));

        Assert.Equal(["Succeeded", "Stopped", "Not run"], cut.FindAll("[data-testid=step-status]").Select(e => e.TextContent.Trim()));
    }

    [Fact]
    public void Itinerary_SaysNoStepRan_WhenARejectedRequestHasNoSteps()
    {
        var cut = Render<ItineraryTable>(p => p.Add(c => c.Steps, []).Add(c => c.State, RequestState.Rejected));
        Assert.Contains("No step ran", cut.Find("[data-testid=steps-none]").TextContent);
    }

    [Fact]
    public void Itinerary_KeepsPending_WhileTheRequestCanStillRun()
    {
        var steps = new List<StepView> { new("transfer", StepStatus.Pending, null, null, null) };
        var cut = Render<ItineraryTable>(p => p.Add(c => c.Steps, steps).Add(c => c.State, RequestState.PendingApproval));
        Assert.Equal("Pending", cut.Find("[data-testid=step-status]").TextContent.Trim());
    }

    [Fact]
    public void Timeline_ShowsTheRejectionOnceAndStatesAsWords_WhenRejected()
    {
        var transitions = new List<TransitionView>
        {
            new(RequestState.Submitted, RequestState.PendingApproval, "System", At, "Needs one approval."),
            new(RequestState.PendingApproval, RequestState.Rejected, "Anna Approver", At.AddMinutes(1), "Rejected: Not during quarter end"),
        };
        var decisions = new List<DecisionView> { new("Anna Approver", Verdict.Reject, "Not during quarter end", At.AddMinutes(1)) };
        var cut = Render<RequestTimeline>(p => p.Add(c => c.Transitions, transitions).Add(c => c.Decisions, decisions));

        var items = cut.FindAll("[data-testid=timeline-item]").Select(e => e.TextContent).ToList();
        Assert.Contains("Pending approval", items[0]);
        Assert.DoesNotContain("PendingApproval", cut.Markup);
        Assert.Contains("Not during quarter end", items[1]);
        Assert.DoesNotContain("Rejected: Rejected", cut.Find("[data-testid=timeline]").TextContent);
        Assert.DoesNotContain("Rejected:", items[1]);
    }

    [Fact]
    public void Notices_ShowWhoCancelledAndWhy_WhenCancelled()
    {
        var details = Details(RequestState.Cancelled) with { Cancellation = new CancellationView("Olga Operator", "Wrong target", At) };
        var cut = Render<RequestNotices>(p => p.Add(c => c.Details, details));

        var text = cut.Find("[data-testid=cancellation]").TextContent;
        Assert.Contains("Cancelled by Olga Operator", text);
        Assert.Contains("Wrong target", text);
    }

    [Fact]
    public void Notices_SayTheRunIsBeingRecovered_WhenTheHeartbeatIsStale()
    {
        var cut = Render<RequestNotices>(p => p.Add(c => c.Details, Details(RequestState.Running) with { StaleSince = At }));
        Assert.Contains("being recovered", cut.Find("[data-testid=recovering]").TextContent);

        cut.Render(p => p.Add(c => c.Details, Details(RequestState.Running)));
        Assert.Empty(cut.FindAll("[data-testid=recovering]"));
    }

    internal static RequestDetails Details(RequestState state) => new(
        new RequestSummary(Guid.NewGuid(), "web-01", "payments", MigrationKind.Compute, true, state, "esx-02", "Rita", At, null, false, 1),
        "Patch host", "esx-01", "ds-01", new MigrationOptions(false, false), new ScheduleWish(ScheduleMode.AsSoonAsApproved, null, null), null,
        1, null, "one approval", null, false, null, [], [], [], null, AllowedActions.None);
}
