function y = rgb2gray_matlab(x)
% MATLAB rgb2gray for uint8: round(c*[R G B]') with MATLAB's exact coefficients, saturating.
if size(x,3) ~= 3, y = x; return; end
c = inv([1 0.956 0.621; 1 -0.272 -0.647; 1 -1.106 1.703]); c = c(1,:);
x = double(x);
y = uint8(round(c(1)*x(:,:,1) + c(2)*x(:,:,2) + c(3)*x(:,:,3)));
end
