using MigrationPortal.Application.Abstractions;
using MigrationPortal.Domain.Requests;

namespace MigrationPortal.Application.Execution.Itinerary;

/// <summary>
/// How a step ended. <see cref="Status"/> and <see cref="Message"/> go on the step's row; <see cref="Ends"/> stops the
/// itinerary with that ending and <see cref="Reason"/> (the request's outcome); <see cref="NeedsAttention"/> stops the run
/// without an ending, leaving the step running for an Operator's "Check again".
/// </summary>
public sealed record StepOutcome(StepStatus Status, string Message, MoveEnding? Ends = null, string? Reason = null, bool NeedsAttention = false)
{
    public static StepOutcome Succeeded(string message, string? reason = null) => new(StepStatus.Succeeded, message, Reason: reason);

    public static StepOutcome Skipped(string message) => new(StepStatus.Skipped, message);

    public static StepOutcome Failed(string message, string reason) => new(StepStatus.Failed, message, MoveEnding.Failed, reason);

    public static StepOutcome Cancelled(string message, string reason) => new(StepStatus.Failed, message, MoveEnding.Cancelled, reason);

    public static StepOutcome Attention(string reason) => new(StepStatus.Running, reason, Reason: reason, NeedsAttention: true);
}
