function r = evalc_quiet(f)
% runs f() with its disp() output discarded
[~, r] = evalc('r = f();');
end
