using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReconcileApi.Data.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class PollingOrderIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Discrepancies_WorkspaceId_State_Id",
                table: "Discrepancies",
                columns: new[] { "WorkspaceId", "State", "Id" },
                descending: new[] { false, false, true });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Discrepancies_WorkspaceId_State_Id",
                table: "Discrepancies");
        }
    }
}
