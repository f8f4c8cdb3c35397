using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;

namespace MigrationPortal.Application.Approvals;

/// <summary>An approver approves a pending request, with a comment. With four-eyes rules the second distinct approval approves it.</summary>
public sealed class ApproveRequest(DecideRequest decide)
{
    public sealed record Command(Guid RequestId, string Comment);

    public Task<RequestSummary> HandleAsync(PortalUser user, Command command, CancellationToken ct = default) =>
        decide.HandleAsync(user, command.RequestId, Verdict.Approve, command.Comment, ct);
}
