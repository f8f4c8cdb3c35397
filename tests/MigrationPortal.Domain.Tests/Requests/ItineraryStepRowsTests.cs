using MigrationPortal.Domain.Common;
using MigrationPortal.Domain.Requests;
using static MigrationPortal.Domain.Tests.Requests.RequestFactory;

namespace MigrationPortal.Domain.Tests.Requests;

/// <summary>Issue 11 §2/§3: step rows are made as steps start; the transfer intent and NeedsAttention rules.</summary>
public class ItineraryStepRowsTests
{
    [Fact]
    public void Constructor_MakesNoStepRows_SoAReleaseCanChangeTheItinerary()
    {
        Assert.Empty(Draft().Steps);
    }

    [Fact]
    public void StartStep_MakesTheRowInTheOrderStepsRun_AndStartClearsThemForARetry()
    {
        var r = InState(RequestState.Running);
        r.StartStep(ItinerarySteps.Precheck, Now);
        r.EndStep(ItinerarySteps.Precheck, StepStatus.Succeeded, Now, "ok");
        r.StartStep("added-by-a-release", Now);

        Assert.Equal([(ItinerarySteps.Precheck, 0), ("added-by-a-release", 1)], r.Steps.Select(s => (s.Name, s.Order)));
        r.Fail(Now, "boom");
        r.Retry(Approver1, Now, "again");
        r.Start(Now);
        Assert.Empty(r.Steps);
    }

    [Fact]
    public void RecordTransferIntent_Throws_WhenTheOperationIsAlreadyRecorded()
    {
        var r = InState(RequestState.Running);
        r.RecordTransferIntent(Now);
        r.RecordOperation("task-1");
        Assert.Throws<DomainException>(() => r.RecordTransferIntent(Now));
        Assert.Equal(Now, r.TransferIntentAt);
    }

    [Fact]
    public void Recheck_ReturnsToRunningAndClearsTheReason_OnlyFromNeedsAttention()
    {
        var r = InState(RequestState.Running);
        Assert.Throws<DomainException>(() => r.Recheck(Approver1, Now, "looked"));
        r.RequireAttention(Now, "cannot say");
        Assert.True(RequestTransitions.IsActive(r.State));
        Assert.Contains(r.State, RequestTransitions.HoldingCapacity);
        Assert.False(r.CanCancel);
        Assert.Equal("cannot say", r.AttentionReason);

        r.Recheck(Approver1, Now, "looked");

        Assert.Equal(RequestState.Running, r.State);
        Assert.Null(r.AttentionReason);
        Assert.Equal("Check again: looked", r.Transitions.Last().Reason);
    }
}
