-- tests/lsp/init.lua -- Neovim as a real client of `ipsfc lsp` (tests/lsp/nvim.sh).
--
--   IPSFC=build/ipsfc IPSF_OUT=out.json nvim --headless -u tests/lsp/init.lua PACK.ipsf
--
-- Opens the pack (which has a type error and messy layout), starts the
-- server with the editors/nvim/ipsf.lua configuration, waits for the
-- diagnostics, asks for hover and definition at the first use of the fact
-- named in IPSF_WORD, formats the buffer, and writes everything it got as
-- JSON to IPSF_OUT; then quits.  Any failure is written too, never hidden.
vim.opt.runtimepath:prepend(vim.fn.getcwd() .. '/editors/nvim')
vim.opt.swapfile = false
local out = {}

local function finish()
  local f = io.open(os.getenv('IPSF_OUT'), 'w')
  f:write(vim.fn.json_encode(out))
  f:close()
  vim.cmd('qall!')
end

local function run()
  local buf = vim.api.nvim_get_current_buf()
  local ipsf = require('ipsf')
  local client = ipsf.attach(buf, { cmd = { os.getenv('IPSFC'), 'lsp' },
                                    init_options = { analysisDelayMs = 0 } })
  out.client = client ~= nil
  out.got_diagnostics = vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out.diagnostics, { lnum = d.lnum, col = d.col, severity = d.severity,
                                    message = d.message, code = d.code })
  end
  -- the first use of the word after its declaration
  local word = os.getenv('IPSF_WORD')
  vim.fn.cursor(1, 1)
  vim.fn.search('\\<' .. word .. '\\>')
  vim.fn.search('\\<' .. word .. '\\>')
  local pos = vim.api.nvim_win_get_cursor(0)
  out.cursor = pos
  local params = vim.lsp.util.make_position_params()
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 10000) or {}
  for _, r in pairs(hover) do out.hover = r.result and r.result.contents.value or r.err end
  local def = vim.lsp.buf_request_sync(buf, 'textDocument/definition', params, 10000) or {}
  for _, r in pairs(def) do out.definition = r.result or r.err end
  vim.lsp.buf.formatting_sync(nil, 10000)
  out.formatted = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  finish()
end

vim.api.nvim_create_autocmd('VimEnter', {
  callback = function()
    local ok, err = pcall(run)
    if not ok then
      out.error = tostring(err)
      finish()
    end
  end,
})
