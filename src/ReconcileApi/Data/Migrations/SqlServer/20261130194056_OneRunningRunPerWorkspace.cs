using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class OneRunningRunPerWorkspace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Before this rule two runs of a workspace could be running; all but the oldest wait again (queued runs
            // are picked up in order by their jobs, and on SQLite re-enqueued at start).
            migrationBuilder.Sql(
                "UPDATE Runs SET Status = 'Queued' WHERE Status = 'Running' AND EXISTS " +
                "(SELECT 1 FROM Runs AS o WHERE o.WorkspaceId = Runs.WorkspaceId AND o.Status = 'Running' AND o.CreatedAt < Runs.CreatedAt)");
            migrationBuilder.CreateIndex(
                name: "IX_Runs_OneRunningPerWorkspace",
                table: "Runs",
                column: "WorkspaceId",
                unique: true,
                filter: "[Status] = 'Running'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Runs_OneRunningPerWorkspace",
                table: "Runs");
        }
    }
}
