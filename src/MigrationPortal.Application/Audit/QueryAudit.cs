using Microsoft.EntityFrameworkCore;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Authorization;
using MigrationPortal.Application.Common;

namespace MigrationPortal.Application.Audit;

/// <summary>Which page of events to show: <see cref="Page"/> counts from 1.</summary>
public sealed record AuditPaging(int Page = 1, int PageSize = 50)
{
    public const int MaxPageSize = 1000;

    /// <summary>Beyond this page the offset would overflow; no trail is that long.</summary>
    public const int MaxPage = 1_000_000;
}

/// <summary>One page of events with the total that match, so a pager can show "51–100 of 4,812".</summary>
public sealed record AuditPage(IReadOnlyList<AuditEventView> Items, int Total, int Page, int PageSize)
{
    public int PageCount => (Total + PageSize - 1) / PageSize;
}

/// <summary>A page of audit events, newest first. Auditors and administrators only.</summary>
public sealed class QueryAudit(IPortalDb db, AccessGuard guard)
{
    public async Task<AuditPage> HandleAsync(PortalUser user, AuditFilter filter, AuditPaging paging, CancellationToken ct = default)
    {
        await guard.RequireRoleAsync(user, "audit.query", ct, Roles.Auditor, Roles.Administrator);
        filter.Check(new Validation()
            .Require(paging.PageSize is > 0 and <= AuditPaging.MaxPageSize, nameof(paging.PageSize), $"Page size between 1 and {AuditPaging.MaxPageSize:N0} events.")
            .Require(paging.Page is > 0 and <= AuditPaging.MaxPage, nameof(paging.Page), $"Page between 1 and {AuditPaging.MaxPage:N0}."))
            .ThrowIfInvalid();
        var query = filter.Apply(db.AuditEvents.AsNoTracking());
        var total = await query.CountAsync(ct);
        var page = await query.OrderByDescending(e => e.Sequence).Skip((paging.Page - 1) * paging.PageSize).Take(paging.PageSize).ToListAsync(ct);
        return new AuditPage(page.Select(AuditEventView.From).ToList(), total, paging.Page, paging.PageSize);
    }
}
