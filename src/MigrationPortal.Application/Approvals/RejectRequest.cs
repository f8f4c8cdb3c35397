using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Requests;
using MigrationPortal.Domain.Approvals;

namespace MigrationPortal.Application.Approvals;

/// <summary>An approver rejects a pending request, with a comment. One rejection ends it.</summary>
public sealed class RejectRequest(DecideRequest decide)
{
    public sealed record Command(Guid RequestId, string Comment);

    public Task<RequestSummary> HandleAsync(PortalUser user, Command command, CancellationToken ct = default) =>
        decide.HandleAsync(user, command.RequestId, Verdict.Reject, command.Comment, ct);
}
