using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using MigrationPortal.Application.Abstractions;
using MigrationPortal.Application.Common;
using MigrationPortal.Domain.Common;

namespace MigrationPortal.Web.Api;

/// <summary>
/// Turns the use cases' expected failures into ProblemDetails (400 with fields, 403, 404, 409, 502 for a hypervisor fault).
/// Anything else is a 500 with no stack trace; browsers are sent to the friendly error page instead.
/// </summary>
public sealed class PortalExceptionHandler(IProblemDetailsService problems, ILogger<PortalExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        var (status, title, detail) = exception switch
        {
            ValidationFailedException v => (StatusCodes.Status400BadRequest, "The request is invalid.", v.Message),
            // A body or parameter that could not be read (415 for a body that is not JSON, 413 for one too large).
            BadHttpRequestException b => (b.StatusCode, "The request is invalid.", ApiInput.Describe(b).Message),
            DomainException d => (StatusCodes.Status400BadRequest, "The request is invalid.", d.Message),
            ForbiddenException f => (StatusCodes.Status403Forbidden, "You are not allowed to do this.", f.Message),
            NotFoundException n => (StatusCodes.Status404NotFound, "Not found.", n.Message),
            ConflictException c => (StatusCodes.Status409Conflict, "Someone else changed this first.", c.Message),
            ConnectorException h => (StatusCodes.Status502BadGateway, $"The hypervisor reported {h.FaultType}.", h.Message),
            _ => (StatusCodes.Status500InternalServerError, "Something went wrong on our side.", "The error has been logged."),
        };
        if (status == StatusCodes.Status500InternalServerError) logger.LogError(exception, "Unhandled error on {Path}", http.Request.Path);

        if (!http.Request.Path.StartsWithSegments("/api"))
        {
            http.Response.Redirect(status switch { 403 => "/forbidden", 404 => "/not-found", _ => "/error" });
            return true;
        }

        http.Response.StatusCode = status;
        // 400s carry the failing fields in "errors" (ValidationProblemDetails), as the UI shows them beside each field.
        IDictionary<string, string[]>? errors = exception switch
        {
            ValidationFailedException invalid => invalid.Errors.ToDictionary(),
            BadHttpRequestException unreadable when ApiInput.Describe(unreadable) is var (field, message) => new Dictionary<string, string[]> { [field] = [message] },
            _ => null,
        };
        var problem = errors is null ? new ProblemDetails() : new HttpValidationProblemDetails(errors);
        problem.Status = status;
        problem.Title = title;
        problem.Detail = detail;
        problem.Instance = http.Request.Path;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }
}
