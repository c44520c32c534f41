-- Neovim as a real client of `wfc lsp` (run by tests/nvim.rs):
--   nvim --headless --clean -u tests/nvim/init.lua
-- with WFC_BIN (the binary), WFC_PROJECT (a temporary project holding
-- welcome.wf and onboarding.wf) and WFC_OUT (where the results go, as JSON).
--
-- Everything goes through Neovim's own LSP client: the client is started
-- as docs/editors.md shows for 0.7 to 0.10, the quick fix is chosen among
-- what `vim.lsp.buf.code_action()` offers (through `vim.ui.select`, as a
-- user would), formatting is `vim.lsp.buf.format` (`formatting_sync` and
-- `range_formatting` before 0.8/0.9), and renames are `vim.lsp.buf.rename`, whose workspace edit Neovim
-- applies to every file it names (loading those not open). Nothing here
-- decides whether the results are right: the Rust test does.

local bin = assert(os.getenv("WFC_BIN"), "WFC_BIN is not set")
local root = assert(os.getenv("WFC_PROJECT"), "WFC_PROJECT is not set")
local out = assert(os.getenv("WFC_OUT"), "WFC_OUT is not set")
-- How long each wait for the server may last (ms): a bound against a hung
-- server, never an assertion on speed.
local WAIT = 20000

local v = vim.version()
local results = { version = v.major .. "." .. v.minor .. "." .. v.patch }

-- The client, as in docs/editors.md (0.7 to 0.10).
vim.g.do_filetype_lua = 1 -- 0.7 only: else vim.filetype.add is ignored
vim.filetype.add({ extension = { wf = "wf" } })
local client_id
vim.api.nvim_create_autocmd("FileType", {
  pattern = "wf",
  callback = function(args)
    if not client_id or vim.lsp.get_client_by_id(client_id) == nil then
      client_id = vim.lsp.start_client({
        name = "wfc",
        cmd = { bin, "lsp" },
        root_dir = root,
        workspace_folders = { { uri = vim.uri_from_fname(root), name = root } },
      })
    end
    if client_id then
      vim.lsp.buf_attach_client(args.buf, client_id)
    end
  end,
})

local function text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, true), "\n") .. "\n"
end

local function diagnostics(buf)
  local list = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(list, {
      code = d.code,
      message = d.message,
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
    })
  end
  return list
end

local function wait(what, cond)
  if not vim.wait(WAIT, cond, 10) then
    error("timed out waiting for " .. what)
  end
end

-- Put the cursor on the first occurrence of `needle` in `buf`, `shift`
-- bytes into it.
local function cursor_at(buf, needle, shift)
  for i, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, true)) do
    local at = line:find(needle, 1, true)
    if at then
      vim.api.nvim_win_set_cursor(0, { i, at - 1 + shift })
      return
    end
  end
  error(needle .. " is not in the buffer")
end

local function run()
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/welcome.wf"))
  local buf = vim.api.nvim_get_current_buf()
  results.filetype = vim.bo[buf].filetype
  wait("the client to attach", function()
    -- buf_get_clients is deprecated from 0.10 on; get_clients is 0.10+.
    local clients = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf })
      or vim.lsp.buf_get_clients(buf)
    return next(clients) ~= nil
  end)
  local client = vim.lsp.get_client_by_id(client_id)
  results.offset_encoding = client.offset_encoding

  -- 1. Diagnostics.
  wait("diagnostics", function()
    return #vim.diagnostic.get(buf) > 0
  end)
  results.diagnostics = diagnostics(buf)

  -- 2. The preferred quick fix, chosen as a user would among the actions
  -- offered at the diagnostic.
  local d = vim.diagnostic.get(buf)[1]
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  results.offered = {}
  local chosen = false
  vim.ui.select = function(items, _, on_choice)
    local pick
    for i, item in ipairs(items) do
      -- {client_id, action} before 0.10, {ctx = ..., action = ...} after.
      local action = item.action or item[2]
      table.insert(results.offered, {
        title = action.title,
        kind = action.kind,
        preferred = action.isPreferred == true,
      })
      if action.isPreferred and not pick then
        pick = i
      end
    end
    on_choice(pick and items[pick] or nil, pick)
    chosen = true
  end
  vim.lsp.buf.code_action()
  wait("the code actions", function()
    return chosen
  end)
  results.after_fix = text(buf)
  wait("the diagnostics to clear after the fix", function()
    return #vim.diagnostic.get(buf) == 0
  end)

  -- 3. Range formatting of the `enroll in` line only (a selection of it).
  local before_range = text(buf)
  local row, line
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, true)) do
    if l:find("enroll in", 1, true) then
      row, line = i, l
    end
  end
  if vim.lsp.buf.range_formatting then
    -- up to 0.8: asynchronous, the edits applied by the response handler
    vim.lsp.buf.range_formatting({}, { row, 0 }, { row, #line - 1 })
  else
    vim.lsp.buf.format({ async = false, timeout_ms = WAIT, range = {
      start = { row, 0 }, ["end"] = { row, #line - 1 } } })
  end
  wait("the range formatting", function()
    return text(buf) ~= before_range
  end)
  results.after_range_format = text(buf)

  -- 4. Formatting of the whole document.
  results.before_format = text(buf)
  if vim.lsp.buf.format then
    vim.lsp.buf.format({ async = false, timeout_ms = WAIT })
  else
    vim.lsp.buf.formatting_sync(nil, WAIT)
  end
  results.after_format = text(buf)

  -- 5. Rename a label (its definition and its `goto`).
  cursor_at(buf, "goto notify", 5)
  vim.lsp.buf.rename("call_owner")
  wait("the label rename", function()
    return text(buf):find("goto call_owner", 1, true) ~= nil
  end)

  -- 6. Rename a workflow from its `enroll in`: the edit reaches
  -- onboarding.wf, a file not open in the editor.
  cursor_at(buf, 'enroll in "Onboarding"', 12)
  vim.lsp.buf.rename("Welcome series")
  local other = root .. "/onboarding.wf"
  wait("the workflow rename in onboarding.wf", function()
    local b = vim.fn.bufnr(other)
    return b ~= -1 and vim.api.nvim_buf_is_loaded(b)
      and text(b):find('workflow "Welcome series"', 1, true) ~= nil
  end)
  vim.cmd("silent wall")
  wait("clean diagnostics after the renames", function()
    return #vim.diagnostic.get(buf) == 0
  end)
  results.final_diagnostics = diagnostics(buf)
end

local function finish()
  local ok, err = xpcall(run, debug.traceback)
  if not ok then
    results.error = tostring(err)
  end
  vim.fn.writefile({ vim.fn.json_encode(results) }, out)
  vim.cmd("qa!")
end

vim.api.nvim_create_autocmd("VimEnter", { callback = finish, once = true, nested = true })
